import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FacesearchImageTooLargeError } from './facesearch.error';
import type { ImageSource, S3ObjectRef } from './types';

/** The API's default byte limit per image (`IMAGE_MAX_BYTES`): 20 MB. */
export const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

interface UploadCommon {
  /** Name sent with the multipart part (the server recognises formats by their bytes, never by name). */
  filename?: string;
  /** Refuse, before sending, an image larger than this; default the client's `maxImageBytes` (20 MB). */
  maxBytes?: number;
}

/** A file to upload; read when the call is made. Its name is sent as the part's filename. */
export interface ImageFromPath extends UploadCommon {
  path: string;
}

/** Bytes to upload (a Buffer is a Uint8Array). */
export interface ImageFromBuffer extends UploadCommon {
  buffer: Uint8Array | ArrayBuffer;
}

/** A Node `Readable` (or any async iterable of bytes), read to its end into memory before sending. */
export interface ImageFromStream extends UploadCommon {
  stream: AsyncIterable<Uint8Array>;
}

/** Image bytes the SDK sends itself, as a multipart file. */
export type ImageUpload = ImageFromPath | ImageFromBuffer | ImageFromStream;

/**
 * An image for indexing, search or verify: uploaded (`path`, `buffer`, `stream`), or fetched by the
 * service itself (`url`, `s3`), in which case nothing is read here.
 */
export type ImageInput = ImageUpload | { url: string } | { s3: S3ObjectRef };

/** One side of `verify`: an image (its largest face), a stored face, or a person. */
export type VerifyInput = ImageInput | { faceId: string } | { personId: string };

const KINDS = ['path', 'buffer', 'stream', 'url', 's3', 'faceId', 'personId'] as const;
type Kind = (typeof KINDS)[number];

/** Which of the forms `input` is; a TypeError unless exactly one is given. */
export function kindOf(input: unknown, what: string, allowed: readonly Kind[]): Kind {
  if (!input || typeof input !== 'object') throw new TypeError(`${what} must be an object with one of ${allowed.join(', ')}`);
  const given = KINDS.filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1 || !allowed.includes(given[0])) {
    throw new TypeError(`${what} must have exactly one of ${allowed.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}`);
  }
  return given[0];
}

export const IMAGE_KINDS: readonly Kind[] = ['path', 'buffer', 'stream', 'url', 's3'];

export const isUploadKind = (kind: Kind): kind is 'path' | 'buffer' | 'stream' => kind === 'path' || kind === 'buffer' || kind === 'stream';

/** The JSON `source` of a `{ url }` or `{ s3 }` input, with nothing but the API's fields. */
export function sourceOf(input: { url: string } | { s3: S3ObjectRef }, what = 'image'): ImageSource {
  const kind = kindOf(input, what, ['url', 's3']);
  if (kind === 'url') {
    const { url } = input as { url: unknown };
    if (typeof url !== 'string') throw new TypeError(`${what}.url must be a string`);
    return { url };
  }
  const { bucket, key, versionId } = (input as { s3: S3ObjectRef }).s3 ?? {};
  if (typeof bucket !== 'string' || typeof key !== 'string') throw new TypeError(`${what}.s3 needs a bucket and a key`);
  return { s3: versionId === undefined ? { bucket, key } : { bucket, key, versionId } };
}

export interface ReadUpload {
  blob: Blob;
  filename: string;
}

/**
 * Reads an upload into a Blob (kept for every retry of the call). Nothing is checked but the size:
 * an image over the limit fails here, clearly, rather than as a 413 after sending 20 MB.
 */
export async function readUpload(input: ImageUpload, defaultMaxBytes: number): Promise<ReadUpload> {
  const maxBytes = input.maxBytes ?? defaultMaxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new TypeError('maxBytes must be a positive integer');
  if (input.filename !== undefined && (typeof input.filename !== 'string' || /[\r\n"]/.test(input.filename))) {
    throw new TypeError('filename must be a string without quotes or line breaks');
  }
  let bytes: Uint8Array;
  let filename = input.filename;
  if ('path' in input) {
    if (typeof input.path !== 'string' || input.path === '') throw new TypeError('path must be a non-empty string');
    const { size } = await stat(input.path);
    if (size > maxBytes) throw new FacesearchImageTooLargeError(maxBytes, size, input.path);
    bytes = await readFile(input.path);
    if (bytes.byteLength > maxBytes) throw new FacesearchImageTooLargeError(maxBytes, bytes.byteLength, input.path);
    filename ??= basename(input.path);
  } else if ('buffer' in input) {
    const b = input.buffer;
    if (!(b instanceof Uint8Array) && !(b instanceof ArrayBuffer)) throw new TypeError('buffer must be a Buffer, Uint8Array or ArrayBuffer');
    if (b.byteLength > maxBytes) throw new FacesearchImageTooLargeError(maxBytes, b.byteLength);
    // A copy: the caller may reuse (or zero) their buffer while retries are pending.
    bytes = b instanceof ArrayBuffer ? new Uint8Array(b.slice(0)) : new Uint8Array(b);
  } else {
    bytes = await readStream(input.stream, maxBytes);
  }
  return { blob: new Blob([bytes], { type: 'application/octet-stream' }), filename: filename || 'image' };
}

async function readStream(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  if (!stream || typeof (stream as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    throw new TypeError('stream must be a Node Readable or another async iterable of bytes');
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early (too large, a bad chunk) destroys a Readable: nothing more is read.
  for await (const chunk of stream as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('stream must yield bytes (Buffer/Uint8Array); do not set an encoding on it');
    total += chunk.byteLength;
    if (total > maxBytes) throw new FacesearchImageTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
