import { randomUUID } from 'node:crypto';
import { pickReplica, rankReplicas } from './rendezvous';

describe('rendezvous hashing', () => {
  const replicas = ['http://10.0.0.1:3001', 'http://10.0.0.2:3001', 'http://10.0.0.3:3001'];
  const keys = Array.from({ length: 3000 }, () => randomUUID());

  it('is deterministic, independent of list order, and agrees with rankReplicas', () => {
    for (const key of keys.slice(0, 200)) {
      const owner = pickReplica(key, replicas);
      expect(pickReplica(key, [...replicas].reverse())).toBe(owner);
      expect(rankReplicas(key, replicas)[0]).toBe(owner);
    }
  });

  it('spreads tenants evenly', () => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(pickReplica(key, replicas), (counts.get(pickReplica(key, replicas)) ?? 0) + 1);
    for (const r of replicas) expect(counts.get(r)! / keys.length).toBeGreaterThan(0.28);
  });

  it('adding a replica moves only the tenants it wins; removing one moves only its own, to their second choice', () => {
    const grown = [...replicas, 'http://10.0.0.4:3001'];
    let moved = 0;
    for (const key of keys) {
      const before = pickReplica(key, replicas);
      const after = pickReplica(key, grown);
      if (after !== before) {
        expect(after).toBe('http://10.0.0.4:3001');
        moved++;
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.18);
    expect(moved / keys.length).toBeLessThan(0.32);

    const shrunk = replicas.slice(1);
    for (const key of keys) {
      const ranked = rankReplicas(key, replicas);
      const after = pickReplica(key, shrunk);
      expect(after).toBe(ranked[0] === replicas[0] ? ranked[1] : ranked[0]);
    }
  });

  it('refuses an empty list', () => {
    expect(() => pickReplica('t', [])).toThrow(RangeError);
  });
});
