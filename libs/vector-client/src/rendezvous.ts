import { createHash } from 'node:crypto';

/** Highest-random-weight score of (replica, key): the first 48 bits of SHA-256(replica \0 key). */
function weight(replica: string, key: string): number {
  return createHash('sha256').update(replica).update('\0').update(key).digest().readUIntBE(0, 6);
}

/**
 * Replicas ordered by rendezvous (highest-random-weight) hashing of key: the first one owns the key.
 * Adding a replica moves only the keys it now wins (~1/n of them); removing one moves only its own keys,
 * each to its next-ranked replica. Every process with the same replica list agrees without coordination.
 */
export function rankReplicas(key: string, replicas: readonly string[]): string[] {
  return replicas
    .map((replica) => ({ replica, w: weight(replica, key) }))
    .sort((a, b) => b.w - a.w || (a.replica < b.replica ? -1 : 1))
    .map((r) => r.replica);
}

export function pickReplica(key: string, replicas: readonly string[]): string {
  if (replicas.length === 0) throw new RangeError('no vector-index replicas configured');
  let best = replicas[0];
  let bestWeight = -1;
  for (const replica of replicas) {
    const w = weight(replica, key);
    if (w > bestWeight || (w === bestWeight && replica < best)) {
      best = replica;
      bestWeight = w;
    }
  }
  return best;
}
