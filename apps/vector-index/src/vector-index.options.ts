import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { LARGE_INDEX_KINDS, type LargeIndexKind } from '@app/config';
import { type HnswlibPreference } from './engine/hnswlib-loader';

/** Tunables of the vector-index service (code-level; AppConfig carries what the operator sets). */
export interface VectorIndexOptions {
  /** Embedding length (the face engine's 512). */
  dims: number;
  /**
   * HNSW graph degree and build beam. M 32 (not 16): on face-like data a search misses a person when the
   * walk never reaches any of their photos; twice the links reach them at a third of the beam (bench:vector).
   */
  m: number;
  efConstruction: number;
  /** HNSW search beam (a search for more than efSearch results uses k). */
  efSearch: number;
  /**
   * A threshold search that finds nothing at efSearch is repeated at this beam (0: never). See EngineParams.
   * Off by default: every search of someone not in the index pays both beams, which costs more than the
   * one wider beam that reaches the same match recall (bench:vector's `policies`).
   */
  efSearchWide: number;
  /**
   * Tenants with up to this many faces are searched exactly; bigger ones use HNSW. At M 32 / ef 320 HNSW
   * only overtakes the scan at ~20k faces (bench:vector's crossover), but a flat tenant holds its vectors
   * twice (packed copy + scan table), so the scan stops at 4000 (≤ 0.5 ms per search there).
   */
  exactScanMax: number;
  /**
   * Index of tenants above exactScanMax. 'scan' (default): every face's 1-bit code scanned per search,
   * the best scanCandidates re-ranked exactly; match recall stays ~1 at 1M faces where HNSW (ef 320)
   * found 0.914, p99 under 5 ms on two cores (bench:vector). 'hnsw': a graph (sub-linear; for tenants
   * of many millions, at lower recall). Falls back to 'hnsw' when the bitscan addon is not built.
   */
  largeIndex: LargeIndexKind;
  /**
   * Codes re-ranked exactly per scan search (at least 2k). 500: at 1M faces every true match at ≥ 0.4
   * was among them (250-2000 all gave match recall 1.0), and the re-rank is half of a search's time.
   */
  scanCandidates: number;
  /** Threads one scan search uses (memory bandwidth: two cores scan ~1.5x faster than one). */
  scanThreads: number;
  /** Worker threads holding the indexes (tenants hashed across them). */
  workerThreads: number;
  /** How often loaded tenants are caught up with the database, compacted and snapshotted if changed. 0 = never. */
  snapshotIntervalMs: number;
  /** After a removal, the snapshot is rewritten this soon (so removed vectors leave blob storage). */
  deletionSnapshotDelayMs: number;
  /** Compact when mark-deleted entries exceed this share of the index (and minCompactDeleted). */
  compactDeletedRatio: number;
  minCompactDeleted: number;
  /** How long a search waits for its tenant to load before answering 503 tenant_loading. */
  loadWaitMs: number;
  /** How long a removal waits for its tenant to load (a removal must reach a snapshotted tenant). */
  removeLoadWaitMs: number;
  /** Rows re-read below a snapshot's watermark, for transactions that committed out of seq order. */
  catchUpLookbackSeq: number;
  /** Rows per EmbeddingSource batch. */
  sourceBatchSize: number;
  /** Longest stretch a worker computes before it lets searches through. */
  sliceMs: number;
  /** Where plaintext index files exist while a snapshot is sealed or opened (default /dev/shm, else the temp folder). */
  scratchDir?: string;
  /** Which hnswlib build to run: the SIMD one when usable (auto), or forced. */
  hnswlib: HnswlibPreference;
  /** Output folder of infra/scripts/build-hnswlib-simd.mjs. */
  simdAddonDir: string;
  /** Largest request body (an add of 5000 faces is ~14 MB). */
  maxBodyBytes: number;
  seed: number;
}

export const DEFAULT_VECTOR_INDEX_OPTIONS: VectorIndexOptions = {
  dims: 512,
  m: 32,
  efConstruction: 200,
  efSearch: 320,
  efSearchWide: 0,
  exactScanMax: 4000,
  largeIndex: 'scan',
  scanCandidates: 500,
  scanThreads: Math.max(1, Math.min(2, availableParallelism())),
  workerThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
  snapshotIntervalMs: 5 * 60_000,
  deletionSnapshotDelayMs: 5_000,
  compactDeletedRatio: 0.1,
  minCompactDeleted: 100,
  loadWaitMs: 2_000,
  removeLoadWaitMs: 25_000,
  catchUpLookbackSeq: 10_000,
  sourceBatchSize: 1000,
  sliceMs: 10,
  hnswlib: 'auto',
  simdAddonDir: resolve(process.cwd(), '.cache/hnswlib-simd'),
  maxBodyBytes: 32 * 1024 * 1024,
  seed: 100,
};

export function resolveVectorIndexOptions(overrides: Partial<VectorIndexOptions> = {}): VectorIndexOptions {
  const o = { ...DEFAULT_VECTOR_INDEX_OPTIONS, ...overrides };
  const positive = ['dims', 'm', 'efConstruction', 'efSearch', 'workerThreads', 'sourceBatchSize', 'sliceMs', 'maxBodyBytes', 'scanCandidates', 'scanThreads'] as const;
  for (const key of positive) if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be a positive integer`);
  if (!(o.compactDeletedRatio > 0 && o.compactDeletedRatio < 1)) throw new RangeError('compactDeletedRatio must be between 0 and 1');
  if (!LARGE_INDEX_KINDS.includes(o.largeIndex)) throw new RangeError(`largeIndex must be one of ${LARGE_INDEX_KINDS.join(', ')}`);
  if (o.scanThreads > 16) throw new RangeError('scanThreads must be at most 16');
  if (o.scanCandidates > 100_000) throw new RangeError('scanCandidates must be at most 100000');
  return o;
}

export const VECTOR_INDEX_OPTIONS = Symbol('VECTOR_INDEX_OPTIONS');
