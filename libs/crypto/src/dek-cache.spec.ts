import { randomBytes } from 'node:crypto';
import { TenantId } from '@app/contracts';
import { DekCache } from './dek-cache';

const t1 = TenantId.generate();
const t2 = TenantId.generate();
const isZero = (b: Buffer) => b.every((x) => x === 0);

function cache(opts: Partial<ConstructorParameters<typeof DekCache>[0]> = {}) {
  const clock = { now: 1000 };
  const c = new DekCache({ ttlMs: 100, maxEntries: 3, now: () => clock.now, ...opts });
  return { c, clock };
}

describe('DekCache', () => {
  it('returns a loaded key until its TTL, then zeroes it', async () => {
    const { c, clock } = cache();
    const key = randomBytes(32);
    const copy = Buffer.from(key);
    await c.load(t1, 1, async () => key);
    expect(c.get(t1, 1)?.equals(copy)).toBe(true);
    clock.now += 99;
    expect(c.get(t1, 1)).toBe(key);
    clock.now += 1;
    expect(c.get(t1, 1)).toBeUndefined();
    expect(isZero(key)).toBe(true);
    expect(c.stats()).toMatchObject({ size: 0, hits: 2, misses: 1, loads: 1, evictions: 1 });
  });

  it('sweep() zeroes expired keys nobody touches', async () => {
    const { c, clock } = cache();
    const key = randomBytes(32);
    await c.load(t1, 1, async () => key);
    clock.now += 500;
    expect(c.sweep()).toBe(1);
    expect(isZero(key)).toBe(true);
  });

  it('keeps at most maxEntries, evicting (and zeroing) the least recently used', async () => {
    const { c } = cache();
    const keys = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    for (let v = 0; v < 3; v++) await c.load(t1, v, async () => keys[v]);
    c.get(t1, 0); // 0 becomes most recent; 1 is now the oldest
    await c.load(t1, 3, async () => keys[3]);
    expect(c.stats().size).toBe(3);
    expect(c.get(t1, 1)).toBeUndefined();
    expect(isZero(keys[1])).toBe(true);
    expect(isZero(keys[0])).toBe(false);
    expect(c.get(t1, 0)).toBe(keys[0]);
  });

  it('coalesces concurrent misses for one key into a single load', async () => {
    const { c } = cache();
    let calls = 0;
    let release!: (k: Buffer) => void;
    const loader = () => {
      calls++;
      return new Promise<Buffer>((resolve) => (release = resolve));
    };
    const waits = Array.from({ length: 50 }, () => c.load(t1, 1, loader));
    const other = c.load(t2, 1, async () => randomBytes(32));
    release(randomBytes(32));
    await Promise.all([...waits, other]);
    expect(calls).toBe(1);
    expect(c.stats().loads).toBe(2);
    expect(c.get(t1, 1)).toBeDefined();
  });

  it('does not cache a failure; the next miss loads again', async () => {
    const { c } = cache();
    let calls = 0;
    const failing = async (): Promise<Buffer> => {
      calls++;
      throw new Error('kms down');
    };
    await expect(Promise.all([c.load(t1, 1, failing), c.load(t1, 1, failing)])).rejects.toThrow('kms down');
    await expect(c.load(t1, 1, failing)).rejects.toThrow('kms down');
    expect(calls).toBe(2);
  });

  it('evictTenant zeroes that tenant only and discards a load still in flight', async () => {
    const { c } = cache({ maxEntries: 10 });
    const a = randomBytes(32);
    const b = randomBytes(32);
    await c.load(t1, 1, async () => a);
    await c.load(t2, 1, async () => b);
    let release!: (k: Buffer) => void;
    const late = randomBytes(32);
    const inflight = c.load(t1, 2, () => new Promise<Buffer>((resolve) => (release = resolve)));
    expect(c.evictTenant(t1)).toBe(1);
    release(late);
    await inflight;
    expect(isZero(a)).toBe(true);
    expect(isZero(late)).toBe(true);
    expect(c.get(t1, 2)).toBeUndefined();
    expect(c.get(t2, 1)).toBe(b);
    expect(isZero(b)).toBe(false);
  });

  it('close() zeroes everything', async () => {
    const { c } = cache();
    const key = randomBytes(32);
    await c.load(t1, 1, async () => key);
    c.close();
    expect(isZero(key)).toBe(true);
    expect(c.get(t1, 1)).toBeUndefined();
  });
});
