import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hnswlib from 'hnswlib-node';
import { loadBitscan } from './bitscan-loader';
import { IdTable } from './id-table';
import { ScanIndex } from './scan-index';
import { TenantEngine } from './tenant-engine';
import { type EngineParams } from './tenant-index';

const bitscan = loadBitscan().module!;
const base: EngineParams = {
  dims: 64,
  m: 8,
  efConstruction: 40,
  efSearch: 32,
  efSearchWide: 0,
  exactScanMax: 50,
  largeKind: 'scan',
  scanCandidates: 64,
  scanThreads: 1,
  seed: 1,
  sliceMs: 5,
};

/** Random unit vectors (uniform coordinates, xorshift inline: jest runs closures per element slowly). */
function unitVectors(n: number, dims: number, seed: number): Float32Array {
  const out = new Float32Array(n * dims);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const x = (s >>> 0) / 2 ** 31 - 1;
      out[i * dims + j] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dims; j++) out[i * dims + j] *= inv;
  }
  return out;
}

const row = (v: Float32Array, i: number, dims: number) => v.slice(i * dims, (i + 1) * dims);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Exact top-k over the live rows: [index, similarity]. */
function exact(v: Float32Array, dims: number, live: Set<number>, q: Float32Array, k: number): [number, number][] {
  return [...live]
    .map((i): [number, number] => [i, dot(q, row(v, i, dims))])
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

function filled(params: EngineParams, v: Float32Array, n: number): ScanIndex {
  const index = new ScanIndex(bitscan, params);
  for (let i = 0; i < n; i++) index.insert(`f${i}`, row(v, i, params.dims));
  return index;
}

describe('ScanIndex (bitscan addon)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built here, with the kernel this CPU allows', () => {
    expect(['avx512-vpopcntdq', 'scalar']).toContain(bitscan.kernel());
  });

  it('with at least as many candidates as faces it is exact, after removals and re-inserts too', () => {
    const dims = 128;
    const params = { ...base, dims, scanCandidates: 500 };
    const v = unitVectors(400, dims, 3);
    const index = filled(params, v, 300);
    const live = new Set(Array.from({ length: 300 }, (_, i) => i));
    const check = () => {
      for (const qi of [0, 17, 150, 299, 350]) {
        const q = row(v, qi, dims);
        const got = index.search(q, 10);
        const want = exact(v, dims, live, q, 10);
        expect(got.labels.map((l) => Number(index.ids.faceOf(l).slice(1)))).toEqual(want.map(([i]) => i));
        got.distances.forEach((d, i) => expect(1 - d).toBeCloseTo(want[i]![1], 5));
      }
    };
    check();
    for (const i of [0, 17, 5, 6, 7, 8, 9, 200]) {
      expect(index.remove(`f${i}`)).toBe(true);
      live.delete(i);
    }
    expect(index.remove('f0')).toBe(false);
    check();
    for (let i = 300; i < 400; i++) {
      index.insert(`f${i}`, row(v, i, dims));
      live.add(i);
    }
    check();
    // A removed face's vector and code are zeroed at once.
    expect(index.vectorOf(0).every((x) => x === 0)).toBe(true);
  });

  it('finds a planted match at cos 0.4 among 70,000 strangers with a shortlist of 64, on one thread or two', () => {
    const dims = 512;
    const n = 70_000; // crosses a 65,536-label segment and splits across two scan threads
    const v = unitVectors(n, dims, 11);
    const noise = unitVectors(20, dims, 99);
    const queries: { q: Float32Array; target: number }[] = [];
    for (let t = 0; t < 20; t++) {
      const target = (t * 3571 + 17) % n;
      const x = row(v, target, dims);
      // q = 0.4 x + √(1-0.16) z, z a unit vector orthogonal to x.
      const z = row(noise, t, dims);
      const along = dot(z, x);
      let norm = 0;
      for (let j = 0; j < dims; j++) norm += (z[j] -= along * x[j]!) ** 2;
      const q = new Float32Array(dims).map((_, j) => 0.4 * x[j]! + Math.sqrt(0.84) * (z[j]! / Math.sqrt(norm)));
      queries.push({ q, target });
    }
    const one = filled({ ...base, dims }, v, n);
    const two = new ScanIndex(bitscan, { ...base, dims, scanThreads: 2 });
    for (let i = 0; i < n; i++) two.insert(`g${i}`, row(v, i, dims));
    for (const { q, target } of queries) {
      const a = one.search(q, 5, undefined, 0.3);
      expect(a.labels).toEqual([target]);
      expect(1 - a.distances[0]!).toBeCloseTo(0.4, 4);
      expect(two.search(q, 5, undefined, 0.3).labels.map((l) => two.ids.faceOf(l))).toEqual([`g${target}`]);
    }
    // The portable kernel scores the same codes identically.
    try {
      expect(bitscan.useKernel('scalar')).toBe('scalar');
      for (const index of [one, two]) {
        for (const { q } of queries.slice(0, 5)) {
          const scalar = index.search(q, 20);
          bitscan.useKernel('auto');
          expect(index.search(q, 20)).toEqual(scalar);
          bitscan.useKernel('scalar');
        }
      }
    } finally {
      bitscan.useKernel('auto');
    }
    // Without a threshold it still returns k results, best first.
    const all = one.search(queries[0]!.q, 5);
    expect(all.labels).toHaveLength(5);
    expect(all.distances).toEqual([...all.distances].sort((a, b) => a - b));
    one.release();
    two.release();
  });

  it('writes its vectors as Float32 by label and loads them back (removed ones zero, still removed)', async () => {
    const dims = 64;
    const v = unitVectors(100, dims, 5);
    const index = filled({ ...base, dims }, v, 100);
    index.remove('f3');
    const path = join(dir, 'body');
    await index.writeBody(path);
    expect(statSync(path).size).toBe(100 * dims * 4);
    const loaded = await ScanIndex.load(bitscan, { ...base, dims }, IdTable.fromData(index.ids.toData()), path);
    expect(loaded.ids.live).toBe(99);
    for (const qi of [3, 42]) {
      const q = row(v, qi, dims);
      expect(loaded.search(q, 4)).toEqual(index.search(q, 4));
    }
    expect(loaded.search(row(v, 3, dims), 99).labels).not.toContain(3);
    await expect(ScanIndex.load(bitscan, { ...base, dims }, new IdTable(), path)).rejects.toThrow(/wrong length/);
  });

  it('refuses dims that are not a multiple of 64, and the addon checks its arguments', () => {
    expect(() => new ScanIndex(bitscan, { ...base, dims: 16 })).toThrow(/multiple of 64/);
    expect(() => bitscan.encode(new Float32Array(64), 64, new Uint8Array(4), 0)).toThrow(/too short/);
    const q = new Float32Array(64);
    expect(() => bitscan.search(new Uint8Array(64), 9, new Uint8Array(9), [new Float32Array(64 * 9)], 16, 64, q, 10, 1, 0, 1, new Int32Array(1), new Float32Array(1))).toThrow(
      /shorter than count/,
    );
    expect(() => bitscan.search(new Uint8Array(64), 1, new Uint8Array(1), [], 16, 64, q, 10, 1, 0, 1, new Int32Array(1), new Float32Array(1))).toThrow(/segments/);
    // Sizes that would overflow the addon's arithmetic are refused, not obeyed.
    expect(() => bitscan.encode(new Float32Array(64).fill(1), 64, new Uint8Array(8), 2 ** 63 - 1024)).toThrow(/firstLabel/);
    expect(() => bitscan.encode(new Float32Array(64).fill(1), 64, new Uint8Array(8), 2 ** 40)).toThrow(/firstLabel/);
    expect(() => bitscan.search(new Uint8Array(64), 8, new Uint8Array(8), [new Float32Array(64 * 8)], 16, 64, q, 10, 2 ** 31, 0, 1, new Int32Array(1), new Float32Array(1))).toThrow(/k/);
    // A thread count past the addon's limit is clamped (2^32 once truncated to 0 and divided by it).
    expect(bitscan.search(new Uint8Array(64), 8, new Uint8Array(8), [new Float32Array(64 * 8)], 16, 64, q, 10, 1, -2, 2 ** 32, new Int32Array(1), new Float32Array(1))).toBe(1);
  });
});

describe('TenantEngine with the scan as large kind', () => {
  it('promotes a flat tenant to scan past exactScanMax, keeps mutations made meanwhile, compacts back to flat', async () => {
    const dims = 64;
    const engine = new TenantEngine(hnswlib, { ...base, dims }, bitscan);
    engine.create('t');
    const v = unitVectors(300, dims, 2);
    const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `f${from + i}`);
    await engine.add('t', ids(60), v.slice(0, 60 * dims));
    expect(engine.stats('t')).toMatchObject({ kind: 'flat', rebuilding: true });
    await engine.add('t', ids(240, 60), v.slice(60 * dims));
    await engine.remove('t', ['f0', 'f100']);
    await engine.waitRebuild('t');
    expect(engine.stats('t')).toMatchObject({ kind: 'scan', count: 298, rebuilding: false });
    for (const i of [1, 99, 150, 299]) expect(engine.search('t', row(v, i, dims), 1).faceIds).toEqual([`f${i}`]);
    expect(engine.search('t', row(v, 0, dims), 300).faceIds).not.toContain('f0');
    await engine.remove('t', ids(260, 1));
    expect(await engine.compact('t')).toBe(true);
    await engine.waitRebuild('t');
    expect(engine.stats('t')).toMatchObject({ kind: 'flat', count: 39, deleted: 0 });
  });

  it('a scan snapshot opens without the addon (as flat, then converted to the large kind)', async () => {
    const dims = 64;
    const dir = mkdtempSync(join(tmpdir(), 'scan-convert-'));
    try {
      const engine = new TenantEngine(hnswlib, { ...base, dims }, bitscan);
      engine.create('t', 'scan', 100);
      const v = unitVectors(120, dims, 8);
      await engine.add('t', Array.from({ length: 120 }, (_, i) => `f${i}`), v);
      await engine.remove('t', ['f7']);
      const saved = await engine.save('t', join(dir, 't'));
      expect(saved.kind).toBe('scan');
      const plain = new TenantEngine(hnswlib, { ...base, dims, largeKind: 'hnsw' });
      await plain.load('t', join(dir, 't'), 'scan');
      expect(plain.stats('t')).toMatchObject({ kind: 'flat', count: 119, rebuilding: true });
      await plain.waitRebuild('t');
      expect(plain.stats('t')).toMatchObject({ kind: 'hnsw', count: 119 });
      expect(plain.search('t', row(v, 42, dims), 1).faceIds).toEqual(['f42']);
      expect(plain.search('t', row(v, 7, dims), 120).faceIds).not.toContain('f7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs the addon when the large kind is scan', () => {
    expect(() => new TenantEngine(hnswlib, { ...base })).toThrow(/bitscan/);
  });
});
