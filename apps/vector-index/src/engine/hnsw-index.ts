import type { HierarchicalNSW } from 'hnswlib-node';
import { type HnswlibModule } from './hnswlib-loader';
import { IdTable } from './id-table';
import { type EngineParams, type SearchOutcome, type TenantVectorIndex } from './tenant-index';

const MIN_CAPACITY = 1024;
const GROWTH = 1.25;
/** sizeof(std::mutex) per element (hnswlib's link-list locks) + its link-list pointer + level. */
const PER_ELEMENT_OVERHEAD = 40 + 8 + 4;
/** label_lookup_ (unordered_map node + bucket) and upper-level link lists, averaged. */
const PER_ENTRY_OVERHEAD = 48;

/** An hnswlib HNSW graph in inner-product space: mark-delete, grows by 25%, freed deterministically. */
export class HnswIndex implements TenantVectorIndex {
  readonly kind = 'hnsw' as const;
  private ef: number;

  private constructor(
    private readonly params: EngineParams,
    private readonly index: HierarchicalNSW,
    readonly ids: IdTable,
  ) {
    this.ef = params.efSearch;
    index.setEf(this.ef);
  }

  static create(lib: HnswlibModule, params: EngineParams, capacity: number, ids = new IdTable()): HnswIndex {
    const index = new lib.HierarchicalNSW('ip', params.dims);
    index.initIndex({ maxElements: Math.max(MIN_CAPACITY, capacity), m: params.m, efConstruction: params.efConstruction, randomSeed: params.seed });
    return new HnswIndex(params, index, ids);
  }

  static async load(lib: HnswlibModule, params: EngineParams, ids: IdTable, path: string): Promise<HnswIndex> {
    const index = new lib.HierarchicalNSW('ip', params.dims);
    // Runs on the libuv pool: this worker keeps answering searches of its other tenants meanwhile.
    await index.readIndex(path);
    if (index.getCurrentCount() !== ids.size) {
      index.initIndex(1);
      throw new Error('hnsw snapshot body does not match its id table');
    }
    return new HnswIndex(params, index, ids);
  }

  capacity(): number {
    return this.index.getMaxElements();
  }

  insert(faceId: string, vector: Float32Array | number[]): void {
    const used = this.ids.size;
    const capacity = this.index.getMaxElements();
    if (used >= capacity) this.index.resizeIndex(Math.max(MIN_CAPACITY, Math.ceil(capacity * GROWTH)));
    const label = this.ids.assign(faceId);
    this.index.addPoint(Array.isArray(vector) ? vector : Array.from(vector), label);
  }

  remove(faceId: string): boolean {
    const label = this.ids.remove(faceId);
    if (label === undefined) return false;
    this.index.markDelete(label);
    return true;
  }

  search(query: Float32Array, k: number, beam = this.params.efSearch): SearchOutcome {
    const n = Math.min(k, this.ids.live);
    if (n <= 0) return { labels: [], distances: [] };
    const ef = Math.max(beam, n);
    if (ef !== this.ef) {
      this.index.setEf(ef);
      this.ef = ef;
    }
    const r = this.index.searchKnn(Array.from(query), n);
    return { labels: r.neighbors, distances: r.distances };
  }

  vectorOf(label: number): number[] {
    return this.index.getPoint(label);
  }

  bytes(): number {
    const { dims, m } = this.params;
    const level0 = dims * 4 + 2 * m * 4 + 4 + 8;
    return this.capacity() * (level0 + PER_ELEMENT_OVERHEAD) + this.ids.size * PER_ENTRY_OVERHEAD + this.ids.bytes();
  }

  async writeBody(path: string): Promise<void> {
    // hnswlib's saveIndex, on the libuv pool; callers hold off mutations until it resolves.
    await this.index.writeIndex(path);
  }

  release(): void {
    this.index.initIndex(1);
  }
}
