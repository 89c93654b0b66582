import { endianness } from 'node:os';
import { IndexServiceError, IndexServiceErrorCode } from '../vector-index.error';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * base64 of Float32 little-endian bytes → Float32Array (the wire format of @app/vector-client's codec;
 * kept here until the service can import that lib).
 */
export function decodeWireVector(text: string): Float32Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new IndexServiceError(IndexServiceErrorCode.InvalidVector, 'a vector must be base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new IndexServiceError(IndexServiceErrorCode.InvalidVector, 'a vector must be whole Float32 values');
  const out = new Float32Array(bytes.length / 4);
  const view = Buffer.from(out.buffer);
  bytes.copy(view);
  if (!LITTLE_ENDIAN) view.swap32();
  return out;
}
