import { createCipheriv, createDecipheriv } from 'node:crypto';
import { endianness } from 'node:os';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { fillIv } from './iv-pool';
import { readU64, writeU64 } from './u64';

/*
 * Sealed embedding, self-describing:
 *   0  u8      format version (1)
 *   1  u32 BE  DEK version
 *   5  u64 BE  sealed at, ms since the epoch
 *  13  12      random IV
 *  25  n       ciphertext of the float32 vector (little-endian, n = 4 x dimensions)
 *  25+n 16     GCM tag
 * AAD = bytes 0..13 | len-prefixed("facesearch.embedding.v1", tenantId, faceId, modelVersion).
 */
export const EMBEDDING_FORMAT_V1 = 1;
const HEADER_BYTES = 13;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX_BYTES = HEADER_BYTES + IV_BYTES;
export const EMBEDDING_OVERHEAD_BYTES = PREFIX_BYTES + TAG_BYTES;
const DOMAIN = 'facesearch.embedding.v1';
const DOMAIN_BYTES = Buffer.from(DOMAIN, 'utf8');

if (endianness() !== 'LE') throw new Error('facesearch crypto stores float32 little-endian; this CPU is big-endian');

export interface EmbeddingBlobHeader {
  formatVersion: number;
  keyVersion: number;
  sealedAt: Date;
}

/** What a sealed embedding is bound to: moving the blob to another tenant, face or model breaks it. */
export interface EmbeddingBinding {
  readonly tenantId: string;
  readonly faceId: string;
  readonly modelVersion: string;
}

/** Reads the clear header (no key needed): lets jobs find rows still sealed under an old DEK version. */
export function readEmbeddingHeader(blob: Uint8Array): EmbeddingBlobHeader {
  const buf = asBuffer(blob);
  return { formatVersion: EMBEDDING_FORMAT_V1, keyVersion: embeddingKeyVersion(buf), sealedAt: new Date(readU64(buf, 5)) };
}

/** The DEK version of a blob, after checking it is one of ours (hot path: no allocation). */
export function embeddingKeyVersion(blob: Buffer): number {
  if (blob.length < EMBEDDING_OVERHEAD_BYTES || blob[0] !== EMBEDDING_FORMAT_V1) {
    throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Not a sealed embedding of a known format');
  }
  return blob.readUInt32BE(1);
}

export function sealEmbedding(dek: Buffer, keyVersion: number, binding: EmbeddingBinding, vector: Float32Array, now: number): Buffer {
  const plain = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = Buffer.allocUnsafe(EMBEDDING_OVERHEAD_BYTES + plain.length);
  out[0] = EMBEDDING_FORMAT_V1;
  out.writeUInt32BE(keyVersion, 1);
  writeU64(out, 5, now);
  fillIv(out, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dek, out.subarray(HEADER_BYTES, PREFIX_BYTES), { authTagLength: TAG_BYTES });
  cipher.setAAD(embeddingAad(out, binding));
  cipher.update(plain).copy(out, PREFIX_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, PREFIX_BYTES + plain.length);
  return out;
}

/** Opens a blob whose header was already checked against `dek`'s version. */
export function openEmbedding(dek: Buffer, binding: EmbeddingBinding, blob: Buffer): Float32Array {
  const bodyBytes = blob.length - EMBEDDING_OVERHEAD_BYTES;
  if (bodyBytes <= 0 || bodyBytes % 4 !== 0) throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Sealed embedding has a bad length');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dek, blob.subarray(HEADER_BYTES, PREFIX_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(embeddingAad(blob, binding));
    decipher.setAuthTag(blob.subarray(PREFIX_BYTES + bodyBytes));
    plain = decipher.update(blob.subarray(PREFIX_BYTES, PREFIX_BYTES + bodyBytes));
    decipher.final();
  } catch (cause) {
    throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Sealed embedding failed authentication', { cause });
  }
  if (plain.byteOffset % 4 === 0) return new Float32Array(plain.buffer, plain.byteOffset, bodyBytes / 4);
  const copy = new Float32Array(bodyBytes / 4);
  new Uint8Array(copy.buffer).set(plain);
  plain.fill(0);
  return copy;
}

function embeddingAad(header: Buffer, b: EmbeddingBinding): Buffer {
  const t = Buffer.byteLength(b.tenantId);
  const f = Buffer.byteLength(b.faceId);
  const m = Buffer.byteLength(b.modelVersion);
  if (t > 0xffff || f > 0xffff || m > 0xffff) throw new RangeError('embedding binding field too long');
  const aad = Buffer.allocUnsafe(HEADER_BYTES + 8 + DOMAIN_BYTES.length + t + f + m);
  header.copy(aad, 0, 0, HEADER_BYTES);
  let at = HEADER_BYTES;
  aad.writeUInt16BE(DOMAIN_BYTES.length, at);
  DOMAIN_BYTES.copy(aad, at + 2);
  at += 2 + DOMAIN_BYTES.length;
  aad.writeUInt16BE(t, at);
  at += 2 + aad.write(b.tenantId, at + 2);
  aad.writeUInt16BE(f, at);
  at += 2 + aad.write(b.faceId, at + 2);
  aad.writeUInt16BE(m, at);
  aad.write(b.modelVersion, at + 2);
  return aad;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
