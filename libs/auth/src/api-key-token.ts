import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `fsk_<prefix>_<secret>`: the prefix finds the row, the secret (256 random bits) proves possession. */
const TOKEN_RE = /^fsk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface IssuedApiKey {
  /** The whole key, shown to the caller once. */
  token: string;
  prefix: string;
  secretHash: Buffer;
}

function randomPrefix(): string {
  // 12 characters of a 36-letter alphabet; rejection sampling keeps it uniform.
  let out = '';
  while (out.length < 12) {
    for (const byte of randomBytes(16)) {
      if (byte < 252 && out.length < 12) out += PREFIX_ALPHABET[byte % 36];
    }
  }
  return out;
}

/**
 * A fast hash is right here: the secret is 256 random bits, so there is nothing to brute-force,
 * and a slow KDF would only make every request slower.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function issueApiKey(): IssuedApiKey {
  const prefix = randomPrefix();
  const secret = randomBytes(32).toString('base64url');
  return { token: `fsk_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export function parseApiKey(token: string): { prefix: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { prefix: m[1], secret: m[2] } : null;
}

/** Constant time in the secret's content (both sides are 32-byte digests). */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}

/** Compares two strings in time independent of where they differ (and of the expected one's length). */
export function constantTimeEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
