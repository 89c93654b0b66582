/** The formats API.md accepts, recognised by their bytes only. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'gif';

/** What a refused input looks like, for a helpful 415 detail. */
export type UnsupportedKind = 'svg' | 'html' | 'xml' | 'pdf' | 'heic' | 'text' | 'empty' | 'unknown';

export type SniffResult =
  | { readonly supported: true; readonly format: ImageFormat }
  | { readonly supported: false; readonly kind: UnsupportedKind };

const AVIF_BRANDS = new Set(['avif', 'avis']);
// HEIF brands without AVIF: HEVC-coded stills and sequences, and the generic image/sequence brands.
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1']);

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

/** ISO base media file (AVIF, HEIC): brands of the leading `ftyp` box. */
function isoBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const boxSize = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16, 256);
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  return brands;
}

/** Markup and text are refused with a precise kind; looks at the first KiB only. */
function textKind(bytes: Uint8Array): UnsupportedKind | undefined {
  const head = bytes.subarray(0, 1024);
  for (const byte of head) {
    // Control bytes other than tab, LF, CR (and NUL) mean binary data, not text.
    if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d)) return undefined;
  }
  let text: string;
  try {
    // Text is valid UTF-8 (streaming: a character cut at the end of the window is fine).
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
  text = text.replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (text.includes('<svg')) return 'svg';
  if (/^<!doctype html|^<html|<head[\s>]|<body[\s>]/.test(text)) return 'html';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'xml';
  return 'text';
}

/** Decides the format from magic bytes; names, extensions and content types are never trusted. */
export function sniffImageFormat(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { supported: false, kind: 'empty' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { supported: true, format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { supported: true, format: 'png' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { supported: true, format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { supported: true, format: 'webp' };
  // Classic TIFF ("II*\0", "MM\0*") and BigTIFF ("II+\0", "MM\0+").
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { supported: true, format: 'tiff' };
  }
  const brands = isoBrands(bytes);
  if (brands) {
    if (brands.some((brand) => AVIF_BRANDS.has(brand))) return { supported: true, format: 'avif' };
    if (brands.some((brand) => HEIF_BRANDS.has(brand))) return { supported: false, kind: 'heic' };
    return { supported: false, kind: 'unknown' };
  }
  if (ascii(bytes, 0, 5) === '%PDF-') return { supported: false, kind: 'pdf' };
  return { supported: false, kind: textKind(bytes) ?? 'unknown' };
}

/** Which sharp/libvips loader must have read each format (AVIF goes through libheif). */
export const SHARP_FORMAT: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  avif: 'heif',
  tiff: 'tiff',
  gif: 'gif',
};
