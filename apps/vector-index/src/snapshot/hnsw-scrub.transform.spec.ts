import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HierarchicalNSW } from 'hnswlib-node';
import { HNSW_HEADER_BYTES, HnswScrubTransform, readHnswLayout } from './hnsw-scrub.transform';

describe('HnswScrubTransform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scrub-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('zeroes exactly the vectors of mark-deleted elements, whatever the chunking', async () => {
    const dims = 8;
    const index = new HierarchicalNSW('ip', dims);
    index.initIndex({ maxElements: 100, m: 4, efConstruction: 20, randomSeed: 1 });
    for (let label = 0; label < 50; label++) index.addPoint(Array.from({ length: dims }, (_, i) => label + i + 1), label);
    const deleted = new Set([0, 7, 8, 49]);
    for (const label of deleted) index.markDelete(label);
    const file = join(dir, 'index.bin');
    index.writeIndexSync(file);
    const original = readFileSync(file);

    for (const chunkSize of [1, 3, 97, 1000, original.length]) {
      const parts: Buffer[] = [];
      for (let off = 0; off < original.length; off += chunkSize) parts.push(Buffer.from(original.subarray(off, off + chunkSize)));
      const scrub = new HnswScrubTransform(dims * 4);
      const out: Buffer[] = [];
      for await (const c of Readable.from(parts).pipe(scrub)) out.push(c as Buffer);
      const result = Buffer.concat(out);
      expect(result.length).toBe(original.length);
      expect(scrub.scrubbed).toBe(deleted.size);

      const layout = readHnswLayout(result);
      for (let e = 0; e < layout.count; e++) {
        const rec = HNSW_HEADER_BYTES + e * layout.sizePerElement;
        const label = Number(result.readBigUInt64LE(rec + layout.offsetData + layout.dataBytes));
        const vector = result.subarray(rec + layout.offsetData, rec + layout.offsetData + layout.dataBytes);
        if (deleted.has(label)) expect(vector.every((b) => b === 0)).toBe(true);
        else expect(vector.equals(original.subarray(rec + layout.offsetData, rec + layout.offsetData + layout.dataBytes))).toBe(true);
        // Everything but deleted vectors is untouched (links, flags, labels).
        expect(result.subarray(rec, rec + layout.offsetData).equals(original.subarray(rec, rec + layout.offsetData))).toBe(true);
      }
      expect(result.subarray(HNSW_HEADER_BYTES + layout.count * layout.sizePerElement).equals(original.subarray(HNSW_HEADER_BYTES + layout.count * layout.sizePerElement))).toBe(true);
    }

    // The scrubbed file still loads, with the same elements deleted.
    const scrubbed = join(dir, 'scrubbed.bin');
    const chunks: Buffer[] = [];
    for await (const c of Readable.from([original]).pipe(new HnswScrubTransform(dims * 4))) chunks.push(c as Buffer);
    writeFileSync(scrubbed, Buffer.concat(chunks));
    const again = new HierarchicalNSW('ip', dims);
    again.readIndexSync(scrubbed);
    expect(again.getCurrentCount()).toBe(50);
    expect(again.searchKnn(Array.from({ length: dims }, () => 1), 46).neighbors.some((l) => deleted.has(l))).toBe(false);
  });

  it('refuses a file of another vector size', async () => {
    const index = new HierarchicalNSW('ip', 4);
    index.initIndex({ maxElements: 10 });
    index.addPoint([1, 0, 0, 0], 0);
    const file = join(dir, 'small.bin');
    index.writeIndexSync(file);
    const run = async () => {
      for await (const _ of Readable.from([readFileSync(file)]).pipe(new HnswScrubTransform(8 * 4))) void _;
    };
    await expect(run()).rejects.toThrow(/vector size/);
  });
});
