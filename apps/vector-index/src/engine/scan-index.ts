import { open } from 'node:fs/promises';
import { type BitscanModule } from './bitscan-loader';
import { IdTable } from './id-table';
import { type EngineParams, type SearchOutcome, type TenantVectorIndex } from './tenant-index';

/** Labels per float segment (2^16: 128 MB at 512 dims), so growing never copies more than one segment. */
const SEGMENT_SHIFT = 16;
const SEGMENT_LABELS = 1 << SEGMENT_SHIFT;
const MIN_LABELS = 1024;
/** Segments this large ask for transparent huge pages: the re-rank's scattered reads then miss the TLB less. */
const HUGE_PAGE_MIN_BYTES = 8 << 20;

/**
 * Large tenants: every vector as float32 (exact re-rank, snapshots) plus one sign bit per dimension.
 * A search scores all codes against a 4-bit query (bitscan addon, both cores), keeps the best
 * params.scanCandidates and re-ranks them exactly. On face embeddings, where strangers are near
 * orthogonal, a true match ranks in the top few dozen codes; unlike a graph walk, nothing can be
 * unreachable, and inserts and removals are O(1). Cost: the scan reads 64 B per face per search
 * (~2-4 ms at 1M faces on two cores), which bounds the useful size at a few million faces.
 * Removal zeroes the vector and its code at once and marks the label dead (never a candidate).
 */
export class ScanIndex implements TenantVectorIndex {
  readonly kind = 'scan' as const;
  private segments: Float32Array[] = [];
  private codes = new Uint8Array(0);
  private dead = new Uint8Array(0);
  private readonly codeBytes: number;
  /** Search results, reused (grown when a search asks for more): the addon writes into them. */
  private outLabels = new Int32Array(0);
  private outSims = new Float32Array(0);

  constructor(
    private readonly lib: BitscanModule,
    private readonly params: EngineParams,
    readonly ids: IdTable = new IdTable(),
    capacity = MIN_LABELS,
  ) {
    if (params.dims % 64 !== 0) throw new Error('the scan index needs dims that are a multiple of 64');
    this.codeBytes = params.dims / 8;
    this.reserve(Math.max(capacity, ids.size, MIN_LABELS));
  }

  /** Reads a body written by writeBody (Float32 LE by label, removed ones zero) segment by segment. */
  static async load(lib: BitscanModule, params: EngineParams, ids: IdTable, path: string): Promise<ScanIndex> {
    const index = new ScanIndex(lib, params, ids, Math.ceil(ids.size * 1.1));
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size !== ids.size * params.dims * 4) throw new Error('scan snapshot body has the wrong length');
      for (const { first, vectors, bytes } of index.usedSegments()) {
        for (let at = 0; at < bytes.length; ) {
          const { bytesRead } = await file.read(bytes, at, bytes.length - at, first * params.dims * 4 + at);
          if (bytesRead === 0) throw new Error('scan snapshot body ended early');
          at += bytesRead;
        }
        lib.encode(vectors, params.dims, index.codes, first);
      }
    } catch (error) {
      index.release();
      throw error;
    } finally {
      await file.close();
    }
    for (const label of ids.deleted) index.dead[label] = 1;
    return index;
  }

  capacity(): number {
    return this.dead.length;
  }

  insert(faceId: string, vector: Float32Array | number[]): void {
    // Room first: a failed allocation must not leave a label without storage behind it.
    this.reserve(this.ids.size + 1);
    const label = this.ids.assign(faceId);
    const stored = this.vectorOf(label);
    stored.set(vector);
    this.lib.encode(stored, this.params.dims, this.codes, label);
  }

  remove(faceId: string): boolean {
    const label = this.ids.remove(faceId);
    if (label === undefined) return false;
    this.dead[label] = 1;
    const stored = this.vectorOf(label).fill(0);
    this.lib.encode(stored, this.params.dims, this.codes, label);
    return true;
  }

  search(query: Float32Array, k: number, _beam?: number, minSimilarity = 0): SearchOutcome {
    const n = Math.min(k, this.ids.live);
    if (n <= 0) return { labels: [], distances: [] };
    if (this.outLabels.length < n) {
      this.outLabels = new Int32Array(n);
      this.outSims = new Float32Array(n);
    }
    const { outLabels, outSims } = this;
    const { dims, scanCandidates, scanThreads } = this.params;
    const found = this.lib.search(
      this.codes,
      this.ids.size,
      this.dead,
      this.segments,
      SEGMENT_SHIFT,
      dims,
      query,
      scanCandidates, // the addon re-ranks at least 2k
      n,
      // Like hnswlib, return k hits even below zero when no threshold is asked (the caller clamps).
      minSimilarity > 0 ? minSimilarity : -2,
      scanThreads,
      outLabels,
      outSims,
    );
    const labels: number[] = [];
    const distances: number[] = [];
    for (let i = 0; i < found; i++) {
      labels.push(outLabels[i]!);
      distances.push(1 - outSims[i]!);
    }
    return { labels, distances };
  }

  vectorOf(label: number): Float32Array {
    const dims = this.params.dims;
    const at = (label & (SEGMENT_LABELS - 1)) * dims;
    return this.segments[label >> SEGMENT_SHIFT]!.subarray(at, at + dims);
  }

  bytes(): number {
    let total = this.codes.byteLength + this.dead.byteLength + this.ids.bytes();
    for (const seg of this.segments) total += seg.byteLength;
    return total;
  }

  async writeBody(path: string): Promise<void> {
    const file = await open(path, 'w', 0o600);
    try {
      for (const { bytes } of this.usedSegments()) await file.write(bytes);
    } finally {
      await file.close();
    }
  }

  release(): void {
    for (const seg of this.segments) seg.fill(0);
    this.codes.fill(0);
    this.segments = [];
    this.codes = new Uint8Array(0);
    this.dead = new Uint8Array(0);
  }

  /** The part of each float segment that holds labels 0..ids.size-1, as floats and as bytes (file I/O). */
  private *usedSegments(): Generator<{ first: number; vectors: Float32Array; bytes: Uint8Array }> {
    for (let first = 0; first < this.ids.size; first += SEGMENT_LABELS) {
      const vectors = this.segments[first >> SEGMENT_SHIFT]!.subarray(0, Math.min(SEGMENT_LABELS, this.ids.size - first) * this.params.dims);
      yield { first, vectors, bytes: new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength) };
    }
  }

  /** A fresh (untouched) array, advised for transparent huge pages when it spans one. */
  private hugePaged<T extends Uint8Array | Float32Array>(array: T): T {
    if (array.byteLength >= HUGE_PAGE_MIN_BYTES) this.lib.adviseHugePages(array);
    return array;
  }

  /** Room for `labels` labels: codes and dead flags grow by half, the last float segment by doubling. */
  private reserve(labels: number): void {
    if (labels > this.dead.length) {
      const capacity = Math.ceil(Math.max(labels, this.dead.length * 1.5, MIN_LABELS) / 8) * 8;
      const codes = this.hugePaged(new Uint8Array(capacity * this.codeBytes));
      codes.set(this.codes);
      this.codes.fill(0);
      this.codes = codes;
      const dead = new Uint8Array(capacity);
      dead.set(this.dead);
      this.dead = dead;
    }
    const dims = this.params.dims;
    // Every segment but the last is full: only the last and new ones can need room.
    for (let s = Math.max(0, this.segments.length - 1); s * SEGMENT_LABELS < labels; s++) {
      const want = Math.min(SEGMENT_LABELS, labels - s * SEGMENT_LABELS) * dims;
      const seg = this.segments[s];
      if (seg && seg.length >= want) continue;
      const size = Math.min(SEGMENT_LABELS * dims, Math.max(want, (seg?.length ?? 0) * 2, MIN_LABELS * dims));
      const grown = this.hugePaged(new Float32Array(size));
      if (seg) {
        grown.set(seg);
        seg.fill(0);
      }
      this.segments[s] = grown;
    }
  }
}
