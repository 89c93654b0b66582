import { Transform, type TransformCallback } from 'node:stream';

/** hnswlib's saveIndex header: 7 size_t, int32 maxlevel, uint32 entry point, 3 size_t, double mult, size_t efConstruction. */
export const HNSW_HEADER_BYTES = 96;
const DELETE_MARK = 0x01;
/** The delete flag is byte 2 of an element's level-0 link-list header. */
const FLAG_OFFSET = 2;

interface Layout {
  readonly count: number;
  readonly sizePerElement: number;
  readonly offsetData: number;
  readonly dataBytes: number;
}

export function readHnswLayout(header: Buffer): Layout {
  const u64 = (at: number) => Number(header.readBigUInt64LE(at));
  const count = u64(16);
  const sizePerElement = u64(24);
  const labelOffset = u64(32);
  const offsetData = u64(40);
  return { count, sizePerElement, offsetData, dataBytes: labelOffset - offsetData };
}

/**
 * Zeroes the vectors of mark-deleted elements in an hnswlib index file as it streams past, so a snapshot
 * never carries the embedding of a removed face (hnswlib's markDelete keeps the bytes). Flags and graph
 * links stay: loaded again, the elements are still deleted, and searches still pass through them.
 */
export class HnswScrubTransform extends Transform {
  private pos = 0;
  private readonly header = Buffer.alloc(HNSW_HEADER_BYTES);
  private layout?: Layout;
  private deleted = false;
  scrubbed = 0;

  constructor(private readonly expectedDataBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.scrub(chunk);
      done(null, chunk);
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    done(this.layout ? null : new Error('hnsw index file is shorter than its header'));
  }

  private scrub(chunk: Buffer): void {
    const start = this.pos;
    const end = start + chunk.length;
    this.pos = end;
    if (start < HNSW_HEADER_BYTES) {
      chunk.copy(this.header, start, 0, Math.min(chunk.length, HNSW_HEADER_BYTES - start));
      if (end >= HNSW_HEADER_BYTES) {
        this.layout = readHnswLayout(this.header);
        if (this.layout.dataBytes !== this.expectedDataBytes) throw new Error('hnsw index file has another vector size than this replica');
      }
    }
    const layout = this.layout;
    if (!layout) return;
    const dataEnd = HNSW_HEADER_BYTES + layout.count * layout.sizePerElement;
    let p = Math.max(start, HNSW_HEADER_BYTES);
    const stop = Math.min(end, dataEnd);
    while (p < stop) {
      const record = HNSW_HEADER_BYTES + Math.floor((p - HNSW_HEADER_BYTES) / layout.sizePerElement) * layout.sizePerElement;
      const flagAt = record + FLAG_OFFSET;
      // The flag precedes the vector, so when it lies in an earlier chunk `deleted` already holds it.
      if (flagAt >= start && flagAt < end) {
        this.deleted = (chunk[flagAt - start] & DELETE_MARK) !== 0;
        if (this.deleted) this.scrubbed++;
      }
      if (this.deleted) {
        const from = Math.max(record + layout.offsetData, start);
        const to = Math.min(record + layout.offsetData + layout.dataBytes, end);
        if (from < to) chunk.fill(0, from - start, to - start);
      }
      p = record + layout.sizePerElement;
    }
  }
}
