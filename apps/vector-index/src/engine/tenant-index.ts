import { type LargeIndexKind } from '@app/config';
import { type IdTable } from './id-table';

/** flat for small tenants; above exactScanMax a LargeIndexKind (@app/config): the 1-bit scan with exact re-rank, or an HNSW graph. */
export type IndexKind = 'flat' | LargeIndexKind;

/** Settings every tenant index of a replica shares. */
export interface EngineParams {
  readonly dims: number;
  /** HNSW graph degree (M) and build beam (efConstruction). */
  readonly m: number;
  readonly efConstruction: number;
  /** HNSW search beam; a search for k > efSearch uses k. */
  readonly efSearch: number;
  /**
   * A threshold search that finds nothing at efSearch is repeated at this beam (0: never). Misses on
   * face-like data are almost always "none of the person's faces found" (the graph walk never reached
   * them), so this buys most of a wide beam's match recall at the narrow beam's cost for searches that match.
   */
  readonly efSearchWide: number;
  /** Tenants up to this many faces are searched exactly (flat); above it they move to largeKind. */
  readonly exactScanMax: number;
  readonly largeKind: LargeIndexKind;
  /** Scan index: codes re-ranked exactly per search (at least 2k), and threads one search scans with. */
  readonly scanCandidates: number;
  readonly scanThreads: number;
  readonly seed: number;
  /** Longest stretch a worker computes before it lets other messages (searches) through. */
  readonly sliceMs: number;
}

export interface SearchOutcome {
  labels: number[];
  distances: number[];
}

/** One tenant's vectors in a worker: exact (flat), 1-bit scan + re-rank, or HNSW. Vectors given to it are unit length. */
export interface TenantVectorIndex {
  readonly kind: IndexKind;
  readonly ids: IdTable;
  capacity(): number;
  /** Adds a face the IdTable accepts (the caller checks) under a new label. */
  insert(faceId: string, vector: Float32Array | number[]): void;
  /** Removes a face; true if it was live. */
  remove(faceId: string): boolean;
  /**
   * Nearest labels by inner-product distance (1 - cosine), ascending, at most k. `ef`: HNSW beam (default
   * efSearch). An index may leave out hits below minSimilarity (the caller filters anyway).
   */
  search(query: Float32Array, k: number, ef?: number, minSimilarity?: number): SearchOutcome;
  vectorOf(label: number): Float32Array | number[];
  /** Estimated memory (native and heap). */
  bytes(): number;
  /** Writes the vectors (flat, scan: raw Float32 LE by label; hnsw: hnswlib's index file) to path. */
  writeBody(path: string): Promise<void>;
  /** Frees native memory now rather than at garbage collection. The index is unusable afterwards. */
  release(): void;
}
