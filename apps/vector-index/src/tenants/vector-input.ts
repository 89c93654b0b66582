import { IndexServiceError, IndexServiceErrorCode } from '../vector-index.error';

export const FACE_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Entries ready for a worker: ids, and their unit vectors packed back to back (transferable). */
export interface PackedBatch {
  readonly faceIds: string[];
  readonly vectors: Float32Array;
  /** Highest seq among the entries (0 when none carried one). */
  readonly seqMax: number;
}

/** Scales `vector` to unit length into out[offset..]; false if it has a wrong length, a non-finite value or zero norm. */
export function normalizeInto(vector: Float32Array, dims: number, out: Float32Array, offset: number): boolean {
  if (vector.length !== dims) return false;
  let sum = 0;
  for (let i = 0; i < dims; i++) sum += vector[i] * vector[i];
  if (!Number.isFinite(sum) || sum === 0) return false;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < dims; i++) out[offset + i] = vector[i] * inv;
  return true;
}

export function normalizeQuery(vector: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(dims);
  if (!normalizeInto(vector, dims, out, 0)) throw new IndexServiceError(IndexServiceErrorCode.InvalidVector, `a vector must have ${dims} finite components and a non-zero norm`);
  return out;
}

/**
 * Validates and packs entries. `strict` (requests): any bad entry fails the whole batch. Otherwise (rows
 * from the database) bad rows are left out and counted in `rejected`.
 */
export function packEntries(
  entries: readonly { faceId: string; vector: Float32Array; seq?: number }[],
  dims: number,
  strict: boolean,
): PackedBatch & { rejected: number } {
  const vectors = new Float32Array(entries.length * dims);
  const faceIds: string[] = [];
  let seqMax = 0;
  let rejected = 0;
  for (const e of entries) {
    const ok = FACE_ID_RE.test(e.faceId) && normalizeInto(e.vector, dims, vectors, faceIds.length * dims);
    if (!ok) {
      if (strict) throw new IndexServiceError(IndexServiceErrorCode.InvalidVector, `every entry needs a valid faceId and a vector of ${dims} finite components, not all zero`);
      rejected++;
      continue;
    }
    faceIds.push(e.faceId);
    if (e.seq !== undefined && e.seq > seqMax) seqMax = e.seq;
  }
  return { faceIds, vectors: faceIds.length === entries.length ? vectors : vectors.slice(0, faceIds.length * dims), seqMax, rejected };
}
