import { endianness } from 'node:os';
import { VectorIndexError, VectorIndexErrorCode } from './vector-index.error';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Float32 little-endian bytes, base64: how vectors travel to and from vector-index replicas. */
export function encodeVector(vector: Float32Array): string {
  const bytes = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  if (LITTLE_ENDIAN) return bytes.toString('base64');
  const copy = Buffer.from(bytes);
  copy.swap32();
  return copy.toString('base64');
}

/** The inverse of encodeVector; undefined when the text is not base64 of a whole number of floats. */
export function decodeVector(text: string): Float32Array | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return undefined;
  const out = new Float32Array(bytes.length / 4);
  const view = Buffer.from(out.buffer);
  bytes.copy(view);
  if (!LITTLE_ENDIAN) view.swap32();
  return out;
}

/**
 * A unit-length copy of vector (inner product of two of them is their cosine). Throws invalid_vector on
 * a wrong length, a non-finite component or zero norm.
 */
export function normalizeVector(vector: Float32Array, dims: number): Float32Array {
  // Not `instanceof`: vectors made in a worker thread (or another realm, as under jest) have another Float32Array.
  const isFloat32 = ArrayBuffer.isView(vector) && Object.prototype.toString.call(vector) === '[object Float32Array]';
  if (!isFloat32 || vector.length !== dims) {
    throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, `a vector must have ${dims} components`);
  }
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (!Number.isFinite(sum) || sum === 0) {
    throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, 'a vector must be finite and non-zero');
  }
  const inv = 1 / Math.sqrt(sum);
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] * inv;
  return out;
}
