import { readFile, writeFile } from 'node:fs/promises';
import type { BruteforceSearch } from 'hnswlib-node';
import { type HnswlibModule } from './hnswlib-loader';
import { IdTable } from './id-table';
import { type EngineParams, type SearchOutcome, type TenantVectorIndex } from './tenant-index';

const MIN_CAPACITY = 64;

/**
 * Exact search for small tenants: hnswlib's SIMD brute-force scan over a packed copy of the vectors.
 * Inserts are a copy (no graph to build). hnswlib's BruteforceSearch cannot grow and its removePoint is
 * unsafe (it reads an erased map node), so a removal zeroes the packed copy at once and the scan table
 * leaves the label out of results (searching that many more) until it is rebuilt from the packed copy:
 * when it fills up, or once removals pass a tenth of it. Rebuilding on every removal made the next
 * search after a deletion pay a whole rebuild (~260 ms at 4,000 faces).
 */
export class FlatIndex implements TenantVectorIndex {
  readonly kind = 'flat' as const;
  private scan: BruteforceSearch;
  private scanCapacity: number;
  private vectors: Float32Array;
  private stale = false;
  /** Labels removed since the scan table was built: still in it, never returned. */
  private readonly hidden = new Set<number>();

  constructor(
    private readonly lib: HnswlibModule,
    private readonly params: EngineParams,
    readonly ids: IdTable = new IdTable(),
    capacity = MIN_CAPACITY,
    vectors?: Float32Array,
  ) {
    this.vectors = vectors ?? new Float32Array(Math.max(capacity, ids.size, MIN_CAPACITY) * params.dims);
    this.scanCapacity = Math.max(MIN_CAPACITY, capacity, ids.live);
    this.scan = this.buildScan(this.scanCapacity);
  }

  static async load(lib: HnswlibModule, params: EngineParams, ids: IdTable, path: string): Promise<FlatIndex> {
    const bytes = await readFile(path);
    if (bytes.length !== ids.size * params.dims * 4) throw new Error('flat snapshot body has the wrong length');
    const vectors = new Float32Array(Math.max(ids.size, MIN_CAPACITY) * params.dims);
    new Uint8Array(vectors.buffer).set(bytes);
    bytes.fill(0);
    return new FlatIndex(lib, params, ids, Math.ceil(ids.live * 1.25), vectors);
  }

  capacity(): number {
    return this.scanCapacity;
  }

  insert(faceId: string, vector: Float32Array | number[]): void {
    const label = this.ids.assign(faceId);
    const dims = this.params.dims;
    if ((label + 1) * dims > this.vectors.length) {
      const grown = new Float32Array(Math.max(this.vectors.length * 2, (label + 1) * dims));
      grown.set(this.vectors);
      this.vectors.fill(0);
      this.vectors = grown;
    }
    this.vectors.set(vector, label * dims);
    if (this.stale) return;
    if (this.ids.live + this.hidden.size > this.scanCapacity || this.hidden.has(label)) {
      this.stale = true;
      return;
    }
    this.scan.addPoint(Array.isArray(vector) ? vector : Array.from(vector), label);
  }

  remove(faceId: string): boolean {
    const label = this.ids.remove(faceId);
    if (label === undefined) return false;
    this.vectors.fill(0, label * this.params.dims, (label + 1) * this.params.dims);
    if (this.stale) return true;
    this.hidden.add(label);
    if (this.hidden.size > Math.max(32, this.ids.live / 10)) this.stale = true;
    return true;
  }

  search(query: Float32Array, k: number): SearchOutcome {
    if (this.stale) this.refresh();
    const n = Math.min(k + this.hidden.size, this.scan.getCurrentCount());
    if (n <= 0) return { labels: [], distances: [] };
    const r = this.scan.searchKnn(Array.from(query), n);
    if (this.hidden.size === 0) return { labels: r.neighbors, distances: r.distances };
    const labels: number[] = [];
    const distances: number[] = [];
    for (let i = 0; i < r.neighbors.length && labels.length < k; i++) {
      if (this.hidden.has(r.neighbors[i]!)) continue;
      labels.push(r.neighbors[i]!);
      distances.push(r.distances[i]!);
    }
    return { labels, distances };
  }

  vectorOf(label: number): Float32Array {
    return this.vectors.subarray(label * this.params.dims, (label + 1) * this.params.dims);
  }

  bytes(): number {
    return this.vectors.byteLength + this.scanCapacity * (this.params.dims * 4 + 56) + this.ids.bytes();
  }

  async writeBody(path: string): Promise<void> {
    const used = this.vectors.subarray(0, this.ids.size * this.params.dims);
    await writeFile(path, new Uint8Array(used.buffer, used.byteOffset, used.byteLength), { mode: 0o600 });
  }

  release(): void {
    this.scan.initIndex(1);
    this.vectors.fill(0);
    this.vectors = new Float32Array(0);
  }

  /** Rebuilds the scan table from the packed vectors (after removals, or when it is full). */
  private refresh(): void {
    this.scanCapacity = Math.max(MIN_CAPACITY, Math.ceil(this.ids.live * 1.5));
    this.scan.initIndex(1);
    this.scan = this.buildScan(this.scanCapacity);
    this.hidden.clear();
    this.stale = false;
  }

  private buildScan(capacity: number): BruteforceSearch {
    const scan = new this.lib.BruteforceSearch('ip', this.params.dims);
    scan.initIndex(capacity);
    for (const [, label] of this.ids.liveEntries()) scan.addPoint(Array.from(this.vectorOf(label)), label);
    return scan;
  }
}
