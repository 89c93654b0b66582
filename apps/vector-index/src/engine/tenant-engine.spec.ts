import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hnswlib from 'hnswlib-node';
import { TenantEngine } from './tenant-engine';
import { type EngineParams } from './tenant-index';

const dims = 16;
// dims 16: HNSW as the large kind (the scan needs multiples of 64; scan-index.spec.ts covers it).
const params: EngineParams = { dims, m: 8, efConstruction: 40, efSearch: 32, efSearchWide: 64, exactScanMax: 50, largeKind: 'hnsw', scanCandidates: 100, scanThreads: 1, seed: 1, sliceMs: 2 };

function unitVectors(n: number, seed = 1): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dims; j++) norm += (out[i * dims + j] = rand()) ** 2;
    for (let j = 0; j < dims; j++) out[i * dims + j] /= Math.sqrt(norm);
  }
  return out;
}
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `f${from + i}`);
const row = (v: Float32Array, i: number) => v.slice(i * dims, (i + 1) * dims);

describe('TenantEngine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flat: after any mix of removals and inserts, search equals an exact scan of the live faces', async () => {
    const engine = new TenantEngine(hnswlib, params);
    engine.create('t');
    const v = unitVectors(48, 7);
    await engine.add('t', ids(40), v.slice(0, 40 * dims));
    const live = new Set(ids(40));
    const exact = (q: Float32Array, k: number) =>
      [...live]
        .map((id) => {
          const i = Number(id.slice(1));
          let dot = 0;
          for (let j = 0; j < dims; j++) dot += q[j]! * v[i * dims + j]!;
          return { id, dot };
        })
        .sort((a, b) => b.dot - a.dot)
        .slice(0, k)
        .map((h) => h.id);
    // Removals below and above the rebuild threshold, then inserts into the same table.
    for (const batch of [['f1'], ['f5', 'f9', 'f13'], ids(20, 14), ['f2', 'f3']]) {
      await engine.remove('t', batch);
      for (const id of batch) live.delete(id);
      for (const qi of [0, 4, 7, 38]) expect(engine.search('t', row(v, qi), 6).faceIds).toEqual(exact(row(v, qi), 6));
    }
    await engine.add('t', ids(8, 40), v.slice(40 * dims));
    for (const id of ids(8, 40)) live.add(id);
    for (const qi of [0, 41, 47]) expect(engine.search('t', row(v, qi), 10).faceIds).toEqual(exact(row(v, qi), 10));
    expect(engine.search('t', row(v, 1), 48).faceIds).toHaveLength(live.size);
    expect(engine.search('t', row(v, 1), 48).faceIds).not.toContain('f1');
  });

  it('flat: exact results, similarity = cosine clamped, duplicates and removed ids skipped', async () => {
    const engine = new TenantEngine(hnswlib, params);
    engine.create('t');
    const v = unitVectors(20);
    expect((await engine.add('t', ids(20), v)).added).toBe(20);
    const hits = engine.search('t', row(v, 3), 5);
    expect(hits.faceIds[0]).toBe('f3');
    expect(hits.similarities[0]).toBeCloseTo(1, 5);
    for (let i = 1; i < hits.similarities.length; i++) expect(hits.similarities[i]).toBeLessThanOrEqual(hits.similarities[i - 1]);
    expect(engine.search('t', row(v, 3), 50, 0.99).faceIds).toEqual(['f3']);

    expect((await engine.remove('t', ['f3', 'nope'])).removed).toBe(1);
    expect(engine.search('t', row(v, 3), 20).faceIds).not.toContain('f3');
    const again = await engine.add('t', ['f3', 'nope', 'f4', 'new'], unitVectors(4, 9));
    expect(again).toMatchObject({ added: 1, skipped: 3 });
    expect(engine.stats('t')).toMatchObject({ kind: 'flat', count: 20, deleted: 1 });
  });

  it('promotes a flat tenant to hnsw past exactScanMax while it keeps serving and taking mutations', async () => {
    const engine = new TenantEngine(hnswlib, params);
    engine.create('t');
    const v = unitVectors(300, 2);
    await engine.add('t', ids(60), v.slice(0, 60 * dims));
    expect(engine.stats('t')).toMatchObject({ kind: 'flat', rebuilding: true });
    // Mutations during the rebuild reach the new index through the replayed log.
    await engine.add('t', ids(240, 60), v.slice(60 * dims));
    await engine.remove('t', ['f0', 'f100']);
    expect(engine.search('t', row(v, 5), 1).faceIds).toEqual(['f5']);
    await engine.waitRebuild('t');
    expect(engine.stats('t')).toMatchObject({ kind: 'hnsw', count: 298, rebuilding: false });
    for (const i of [1, 99, 150, 299]) expect(engine.search('t', row(v, i), 1).faceIds).toEqual([`f${i}`]);
    const all = engine.search('t', row(v, 0), 300).faceIds;
    expect(all).toHaveLength(298);
    expect(all).not.toContain('f0');
    expect(all).not.toContain('f100');
  });

  it('compaction drops mark-deleted entries; save and load round-trip both kinds', async () => {
    const engine = new TenantEngine(hnswlib, params);
    engine.create('h', 'hnsw', 100);
    const v = unitVectors(120, 3);
    await engine.add('h', ids(120), v);
    await engine.remove('h', ids(30));
    expect(engine.stats('h')).toMatchObject({ count: 90, deleted: 30 });
    expect(await engine.compact('h')).toBe(true);
    await engine.waitRebuild('h');
    expect(engine.stats('h')).toMatchObject({ kind: 'hnsw', count: 90, deleted: 0 });
    // Removed ids stay tombstoned after compaction.
    expect((await engine.add('h', ['f1'], row(v, 1))).skipped).toBe(1);

    engine.create('f');
    await engine.add('f', ids(10), unitVectors(10, 4));
    await engine.remove('f', ['f2']);
    for (const t of ['h', 'f']) {
      const base = join(dir, t);
      const saved = await engine.save(t, base);
      const other = new TenantEngine(hnswlib, params);
      await other.load(t, base, saved.kind);
      expect(other.stats(t)).toMatchObject({ kind: saved.kind, count: saved.count, deleted: saved.deleted });
      const probe = t === 'h' ? row(v, 77) : row(unitVectors(10, 4), 7);
      expect(other.search(t, probe, 3).faceIds).toEqual(engine.search(t, probe, 3).faceIds);
    }
  });

  it('drop releases the index and fails later calls', async () => {
    const engine = new TenantEngine(hnswlib, params);
    engine.create('t', 'hnsw', 10);
    const adding = engine.add('t', ids(200), unitVectors(200, 5));
    expect(await engine.drop('t')).toBe(true);
    await adding.catch(() => undefined);
    expect(engine.has('t')).toBe(false);
    expect(() => engine.search('t', row(unitVectors(1), 0), 1)).toThrow(/not loaded/);
  });
});
