import { CryptoError, CryptoErrorCode } from './crypto.error';
import { encodeAad } from './aad';
import { readU64, writeU64 } from './u64';

/*
 * Sealed snapshot stream:
 *   header  magic "FSSNAP"(6) | format u8 (1) | DEK version u32 | created ms u64 | chunk bytes u32
 *   frames  flags u8 (bit 0 = final) | plaintext length u32 | IV (12) | ciphertext | tag (16)
 * Chunk i's AAD = header | len-prefixed("facesearch.snapshot.v1", tenantId, snapshotId) | i as u64 | flags:
 * a frame moved to another position, snapshot or tenant fails, and a stream must end with the one frame
 * flagged final, so truncation at a frame boundary and appended frames are both detected.
 */
const MAGIC = Buffer.from('FSSNAP', 'ascii');
export const SNAPSHOT_FORMAT_V1 = 1;
export const SNAPSHOT_HEADER_BYTES = 23;
export const FRAME_PREFIX_BYTES = 17;
export const FRAME_TAG_BYTES = 16;
export const FRAME_IV_BYTES = 12;
export const FLAG_FINAL = 1;
const DOMAIN = 'facesearch.snapshot.v1';

export interface SnapshotHeader {
  readonly keyVersion: number;
  readonly createdAt: number;
  readonly chunkBytes: number;
}

export function encodeSnapshotHeader(h: SnapshotHeader): Buffer {
  const out = Buffer.allocUnsafe(SNAPSHOT_HEADER_BYTES);
  MAGIC.copy(out, 0);
  out[6] = SNAPSHOT_FORMAT_V1;
  out.writeUInt32BE(h.keyVersion, 7);
  writeU64(out, 11, h.createdAt);
  out.writeUInt32BE(h.chunkBytes, 19);
  return out;
}

export function decodeSnapshotHeader(buf: Buffer): SnapshotHeader {
  if (buf.length < SNAPSHOT_HEADER_BYTES || !buf.subarray(0, 6).equals(MAGIC) || buf[6] !== SNAPSHOT_FORMAT_V1) {
    throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Not a sealed snapshot of a known format');
  }
  const chunkBytes = buf.readUInt32BE(19);
  if (chunkBytes === 0) throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Sealed snapshot header is corrupt');
  return { keyVersion: buf.readUInt32BE(7), createdAt: readU64(buf, 11), chunkBytes };
}

/** The part of every chunk's AAD that is fixed for the stream. */
export function snapshotAadPrefix(header: Buffer, tenantId: string, snapshotId: string): Buffer {
  return encodeAad(header, [DOMAIN, tenantId, snapshotId], Buffer.alloc(9));
}

/** Fills the trailing chunk index and flags of a copy of the prefix. */
export function chunkAad(prefix: Buffer, index: number, flags: number): Buffer {
  const aad = Buffer.from(prefix);
  writeU64(aad, aad.length - 9, index);
  aad[aad.length - 1] = flags;
  return aad;
}
