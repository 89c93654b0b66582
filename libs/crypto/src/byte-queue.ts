/** A FIFO of byte chunks that hands out exact-length slices, copying only when a slice spans chunks. */
export class ByteQueue {
  private parts: Buffer[] = [];
  private offset = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  /** Exactly `n` bytes; the caller checked `length >= n`. */
  take(n: number): Buffer {
    const first = this.parts[0];
    if (first && first.length - this.offset >= n) return this.takeUpTo(n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const piece = this.takeUpTo(n - filled);
      piece.copy(out, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Up to `n` bytes from the first chunk, without copying. */
  takeUpTo(n: number): Buffer {
    const first = this.parts[0];
    const available = first.length - this.offset;
    const size = Math.min(n, available);
    const out = first.subarray(this.offset, this.offset + size);
    this.length -= size;
    if (size === available) {
      this.parts.shift();
      this.offset = 0;
    } else {
      this.offset += size;
    }
    return out;
  }

  clear(): void {
    this.parts = [];
    this.offset = 0;
    this.length = 0;
  }
}
