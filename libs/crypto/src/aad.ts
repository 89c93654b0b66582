/**
 * Additional authenticated data: a fixed prefix (the blob's own header) followed by length-prefixed
 * UTF-8 strings, so ("ab","c") and ("a","bc") can never produce the same bytes.
 */
export function encodeAad(prefix: Uint8Array | null, parts: readonly string[], suffix?: Uint8Array): Buffer {
  let size = prefix?.length ?? 0;
  for (const part of parts) size += 2 + Buffer.byteLength(part, 'utf8');
  size += suffix?.length ?? 0;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (prefix) {
    out.set(prefix, 0);
    at = prefix.length;
  }
  for (const part of parts) {
    const len = out.write(part, at + 2, 'utf8');
    if (len > 0xffff) throw new RangeError('AAD part longer than 65535 bytes');
    out.writeUInt16BE(len, at);
    at += 2 + len;
  }
  if (suffix) out.set(suffix, at);
  return out;
}
