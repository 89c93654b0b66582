import { type Readable } from 'node:stream';
import { onAbort } from './deadline';
import { SourceError, SourceErrorCode } from './source.error';

export const tooLarge = (maxBytes: number): SourceError =>
  new SourceError(SourceErrorCode.TooLarge, `the image is larger than the limit of ${maxBytes} bytes`);

/**
 * Reads a body into one Buffer, stopping (and destroying the stream, which closes the connection)
 * as soon as it passes `maxBytes`: a hostile source cannot make us hold more than the limit plus
 * one chunk. Aborting the signal destroys the stream and rejects with the signal's reason.
 */
export async function readLimited(body: Readable, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const unlink = onAbort(signal, () => body.destroy(signal.reason as Error));
  try {
    signal.throwIfAborted();
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buf.length;
      // Leaving the loop destroys the stream.
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(buf);
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof SourceError) throw err;
    throw new SourceError(SourceErrorCode.Unreachable, 'the connection broke while the image was being read', { cause: err });
  } finally {
    unlink();
  }
  return Buffer.concat(chunks, total);
}
