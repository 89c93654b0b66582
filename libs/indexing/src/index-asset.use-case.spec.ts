import { type IndexAssetJobPayload, type TenantId } from '@app/contracts';
import { type AuditService } from '@app/audit';
import { type EnvelopeService } from '@app/crypto';
import { type FaceAnalysis } from '@app/face';
import { type FaceRepository, type IndexJobRecord, type IndexJobRepository, type TenantDb, type TenantRepository } from '@app/persistence';
import { type JobProducer } from '@app/queue';
import { type SourceFetcher } from '@app/sources';
import { type FaceEngineProvider } from './face-engine.provider';
import { IndexAsset } from './index-asset.use-case';
import { type TransientUploadStore } from './transient-upload.store';

const JOB: IndexAssetJobPayload = { tenantId: 't-1' as TenantId, jobId: 'job-1', assetId: 'asset-1', source: { kind: 'upload' }, assetGeneration: 0 };

const row = (status: IndexJobRecord['status']): IndexJobRecord => ({
  id: JOB.jobId,
  assetId: JOB.assetId,
  status,
  sourceKind: 'upload',
  contentSha256: null,
  options: {},
  assetGeneration: 0,
  facesIndexed: status === 'completed' ? 1 : null,
  unindexedFaces: null,
  error: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  completedAt: null,
});

const analysis: FaceAnalysis = {
  contentSha256: 'ab'.repeat(32),
  format: 'jpeg',
  width: 250,
  height: 250,
  modelSet: { id: 'yunet-arcface-v1', version: '1.0.0' },
  faces: [
    {
      box: { left: 0.3, top: 0.3, width: 0.4, height: 0.4 },
      boxPx: { x: 75, y: 75, width: 100, height: 100 },
      landmarks: [],
      score: 0.9,
      quality: { size: 100, score: 0.9, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
      embedding: new Float32Array(512).fill(0.04),
    },
  ],
  unindexed: [],
};

/** IndexAsset over fakes: `rows` are the job's row as successive markActive calls find it. */
function useCase(rows: (IndexJobRecord | null)[]) {
  const jobs = {
    // As the repository: a queued or active row comes back active, an ended one as it is, none as null.
    markActive: jest.fn(async () => {
      const found = rows.length > 1 ? rows.shift()! : rows[0]!;
      return found && (found.status === 'queued' || found.status === 'active') ? { ...found, status: 'active' } : found;
    }),
    complete: jest.fn(async () => undefined),
    fail: jest.fn(async () => undefined),
  };
  const analyze = jest.fn(async () => ({ ...analysis, faces: analysis.faces.map((f) => ({ ...f, embedding: f.embedding.slice() })) }));
  const db = { run: async <T>(tenantId: TenantId, work: (tx: unknown) => Promise<T>) => work({ tenantId, manager: {} }) };
  const indexAsset = new IndexAsset(
    db as unknown as TenantDb,
    { get: async () => ({ maxFacesPerImage: 10, qualityFilter: 'medium', minFaceSize: 20 }) } as unknown as TenantRepository,
    { replaceAssetFaces: async () => ({ kind: 'written', replaced: 0, inserted: 1 }) } as unknown as FaceRepository,
    jobs as unknown as IndexJobRepository,
    { take: async () => Buffer.from('jpeg bytes'), remove: async () => undefined } as unknown as TransientUploadStore,
    {} as SourceFetcher,
    { get: async () => ({ analyze }) } as unknown as FaceEngineProvider,
    { encrypt: async () => Buffer.alloc(16), keyVersionOf: () => 1 } as unknown as EnvelopeService,
    { record: async () => undefined } as unknown as AuditService,
    {} as JobProducer,
  );
  return { indexAsset, jobs, analyze };
}

describe('IndexAsset', () => {
  it('indexes a queued job: marks it active, then completed', async () => {
    const { indexAsset, jobs, analyze } = useCase([row('queued')]);
    await expect(indexAsset.execute(JOB, false)).resolves.toEqual({ status: 'completed', facesIndexed: 1 });
    expect(jobs.markActive).toHaveBeenCalledTimes(1);
    expect(analyze).toHaveBeenCalledTimes(1);
    expect(jobs.complete).toHaveBeenCalledWith(expect.anything(), JOB.jobId, expect.objectContaining({ facesIndexed: 1 }));
  });

  it('waits for a row the request has not committed yet, instead of indexing a job nobody can see', async () => {
    const { indexAsset, jobs, analyze } = useCase([null, null, row('queued')]);
    await expect(indexAsset.execute(JOB, false)).resolves.toEqual({ status: 'completed', facesIndexed: 1 });
    expect(jobs.markActive).toHaveBeenCalledTimes(3);
    expect(analyze).toHaveBeenCalledTimes(1);
  });

  it('leaves a row that never shows up to the queue (a retry with backoff), touching nothing', async () => {
    const { indexAsset, jobs, analyze } = useCase([null]);
    await expect(indexAsset.execute(JOB, true)).rejects.toThrow(/no committed row/);
    expect(analyze).not.toHaveBeenCalled();
    // The first try and one per wait, each finding no row to update.
    expect(jobs.markActive).toHaveBeenCalledTimes(6);
    expect(jobs.complete).not.toHaveBeenCalled();
    expect(jobs.fail).not.toHaveBeenCalled();
  });

  it('answers a redelivered job with its recorded outcome', async () => {
    const { indexAsset, analyze } = useCase([row('completed')]);
    await expect(indexAsset.execute(JOB, false)).resolves.toEqual({ status: 'completed', facesIndexed: 1 });
    expect(analyze).not.toHaveBeenCalled();
  });
});
