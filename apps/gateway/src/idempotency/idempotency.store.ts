import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { type Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/queue';

export interface StoredResponse {
  status: number;
  body: unknown;
  /** Hash of method, path and body of the first request: the same key with another request is a conflict. */
  fingerprint: string;
}

export type Claim = { kind: 'new' } | { kind: 'in_progress' } | { kind: 'done'; response: StoredResponse };

const TTL_SECONDS = 24 * 3600;
const PENDING = 'pending';

/**
 * Responses to POSTs sent with an Idempotency-Key, kept 24 h in Redis so a retried request gets the
 * first answer instead of doing the work twice. A response may hold a secret shown once (a new API
 * key), so it is stored sealed (AES-256-GCM) under a key derived from the caller's Idempotency-Key,
 * and the Redis key is a hash: Redis alone can neither read a response nor tell which key made it.
 */
@Injectable()
export class IdempotencyStore {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redis.prefix}:idem:`;
  }

  private slot(subject: string, key: string): string {
    return this.prefix + createHash('sha256').update(`${subject}\0${key}`).digest('hex');
  }

  private sealKey(subject: string, key: string): Buffer {
    return Buffer.from(hkdfSync('sha256', Buffer.from(key), Buffer.from(subject), 'facesearch idempotent response', 32));
  }

  /** Claims the key for this request, or says what an earlier request with it did. */
  async claim(subject: string, key: string): Promise<Claim> {
    const slot = this.slot(subject, key);
    const set = await this.redis.set(slot, PENDING, 'EX', TTL_SECONDS, 'NX');
    if (set === 'OK') return { kind: 'new' };
    const existing = await this.redis.getBuffer(slot);
    if (!existing || existing.toString() === PENDING) return { kind: 'in_progress' };
    return { kind: 'done', response: this.open(subject, key, existing) };
  }

  async complete(subject: string, key: string, response: StoredResponse): Promise<void> {
    const k = this.sealKey(subject, key);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', k, iv);
    const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(response)), cipher.final(), cipher.getAuthTag()]);
    k.fill(0);
    await this.redis.set(this.slot(subject, key), sealed, 'EX', TTL_SECONDS);
  }

  /** A failed request (an error response) releases the key so the client may retry it. */
  async release(subject: string, key: string): Promise<void> {
    await this.redis.del(this.slot(subject, key));
  }

  private open(subject: string, key: string, sealed: Buffer): StoredResponse {
    const k = this.sealKey(subject, key);
    try {
      const decipher = createDecipheriv('aes-256-gcm', k, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8')) as StoredResponse;
    } finally {
      k.fill(0);
    }
  }
}
