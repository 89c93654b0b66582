import { type IndexJobRecord, type StoredFace } from '@app/persistence';

export interface IndexJobView {
  jobId: string;
  assetId: string;
  status: IndexJobRecord['status'];
  facesIndexed: number;
  unindexedFaces: { reason: string }[];
  error?: { code: string; detail: string };
  createdAt: string;
  completedAt: string | null;
}

export interface FaceView {
  faceId: string;
  assetId: string;
  boundingBox: { left: number; top: number; width: number; height: number };
  confidence: number;
  quality: Record<string, number>;
  personId?: string;
  modelSet: string;
  indexedAt: string;
}

export const toJobView = (j: IndexJobRecord): IndexJobView => ({
  jobId: j.id,
  assetId: j.assetId,
  status: j.status,
  facesIndexed: j.facesIndexed ?? 0,
  unindexedFaces: j.unindexedFaces ?? [],
  ...(j.error ? { error: j.error } : {}),
  createdAt: j.createdAt.toISOString(),
  completedAt: j.completedAt ? j.completedAt.toISOString() : null,
});

const round = (v: number) => Math.round(v * 1e4) / 1e4;

export const toFaceView = (f: StoredFace): FaceView => ({
  faceId: f.id,
  assetId: f.assetId,
  boundingBox: { left: round(f.box.left), top: round(f.box.top), width: round(f.box.width), height: round(f.box.height) },
  confidence: round(f.confidence),
  quality: f.quality,
  ...(f.personId ? { personId: f.personId } : {}),
  modelSet: `${f.modelSet}@${f.modelVersion}`,
  indexedAt: f.indexedAt.toISOString(),
});
