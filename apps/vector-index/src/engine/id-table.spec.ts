import { randomUUID } from 'node:crypto';
import { IdTable } from './id-table';

describe('IdTable', () => {
  it('agrees with a Map through many adds and removes of UUID and other ids (hash slots grow, removals shift back)', () => {
    const table = new IdTable();
    const reference = new Map<string, number>();
    const all: string[] = [];
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 20_000; round++) {
      if (rand() < 0.7 || reference.size === 0) {
        const faceId = rand() < 0.9 ? randomUUID() : `face-${round}`;
        expect(table.accepts(faceId)).toBe(true);
        const label = table.assign(faceId);
        expect(label).toBe(all.length);
        all.push(faceId);
        reference.set(faceId, label);
      } else {
        const faceId = all[Math.floor(rand() * all.length)];
        expect(table.remove(faceId)).toBe(reference.get(faceId));
        reference.delete(faceId);
        expect(table.accepts(faceId)).toBe(false);
      }
    }
    expect(table.live).toBe(reference.size);
    expect(table.size).toBe(all.length);
    for (const [faceId, label] of reference) expect(table.labelOf(faceId)).toBe(label);
    all.forEach((faceId, label) => expect(table.faceOf(label)).toBe(faceId));
    expect(table.labelOf(randomUUID())).toBeUndefined();
    expect(table.liveEntries()).toEqual([...reference.entries()].sort((a, b) => a[1] - b[1]));

    const copy = IdTable.fromData(JSON.parse(JSON.stringify(table.toData())));
    const sorted = (d: ReturnType<IdTable['toData']>) => ({ ...d, deleted: [...d.deleted].sort((a, b) => a - b) });
    expect(sorted(copy.toData())).toEqual(sorted(table.toData()));
    expect(copy.live).toBe(reference.size);
    for (const [faceId, label] of reference) expect(copy.labelOf(faceId)).toBe(label);
    for (const faceId of all) if (!reference.has(faceId)) expect(copy.accepts(faceId)).toBe(false);
  });

  it('keeps ids exactly as given: upper-case UUIDs and other strings are not folded into canonical ones', () => {
    const table = new IdTable();
    const id = randomUUID();
    table.assign(id);
    expect(table.accepts(id.toUpperCase())).toBe(true);
    const upper = table.assign(id.toUpperCase());
    expect(table.faceOf(upper)).toBe(id.toUpperCase());
    expect(table.labelOf(id)).toBe(0);
    expect(table.labelOf(id.toUpperCase())).toBe(1);
  });

  it('costs about 30 bytes per UUID face', () => {
    const table = new IdTable();
    for (let i = 0; i < 100_000; i++) table.assign(randomUUID());
    expect(table.bytes() / 100_000).toBeLessThan(40);
  });
});
