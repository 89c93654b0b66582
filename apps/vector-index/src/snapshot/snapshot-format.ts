import { LARGE_INDEX_KINDS } from '@app/config';
import { type IndexKind } from '../engine/tenant-index';

/**
 * A snapshot's plaintext (sealed as a whole by SnapshotCryptoService):
 *   "FSVI" | version u8 | 3 reserved | header length u32 LE | header JSON | ids (JSON IdTable) | body
 * body: flat → Float32 LE vectors by label (removed ones zero); hnsw → hnswlib's index file with the
 * vectors of deleted elements zeroed.
 */
export const SNAPSHOT_MAGIC = Buffer.from('FSVI', 'ascii');
export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_PREFIX_BYTES = 12;
const MAX_HEADER_BYTES = 64 * 1024;

export interface SnapshotHeader {
  readonly kind: IndexKind;
  readonly dims: number;
  readonly m: number;
  readonly efConstruction: number;
  /** Labels assigned (live + removed). */
  readonly labels: number;
  readonly count: number;
  readonly deleted: number;
  /** Every database row with seq ≤ this was offered to the index before the snapshot was taken. */
  readonly watermarkSeq: number;
  readonly createdAt: string;
  readonly idsBytes: number;
  readonly bodyBytes: number;
}

export function encodeSnapshotPrefix(header: SnapshotHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(SNAPSHOT_PREFIX_BYTES);
  SNAPSHOT_MAGIC.copy(prefix, 0);
  prefix.writeUInt8(SNAPSHOT_FORMAT_VERSION, 4);
  prefix.writeUInt32LE(json.length, 8);
  return Buffer.concat([prefix, json]);
}

/** Header JSON length, after checking magic and version. */
export function decodeSnapshotPrefix(prefix: Buffer): number {
  if (prefix.length < SNAPSHOT_PREFIX_BYTES || !prefix.subarray(0, 4).equals(SNAPSHOT_MAGIC)) throw new Error('not a vector-index snapshot');
  if (prefix.readUInt8(4) !== SNAPSHOT_FORMAT_VERSION) throw new Error(`unsupported snapshot format ${prefix.readUInt8(4)}`);
  const length = prefix.readUInt32LE(8);
  if (length === 0 || length > MAX_HEADER_BYTES) throw new Error('snapshot header has an invalid length');
  return length;
}

export function parseSnapshotHeader(json: Buffer): SnapshotHeader {
  const h = JSON.parse(json.toString('utf8')) as SnapshotHeader;
  const ints = [h.dims, h.m, h.efConstruction, h.labels, h.count, h.deleted, h.watermarkSeq, h.idsBytes, h.bodyBytes];
  if ((h.kind !== 'flat' && !(LARGE_INDEX_KINDS as readonly string[]).includes(h.kind)) || !ints.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new Error('snapshot header is malformed');
  }
  return h;
}
