// Shared by this lib's specs only (not exported from index.ts).
import { randomBytes } from 'node:crypto';
import { TenantId } from '@app/contracts';
import { createCrypto, type CryptoServices } from './create-crypto';
import { type CryptoOptions } from './crypto.options';
import { InMemoryWrappedKeyStore } from './in-memory-wrapped-key-store';
import { type KeyProvider } from './key-provider';
import { LocalKeyProvider } from './local-key-provider';

export interface Harness extends CryptoServices {
  store: InMemoryWrappedKeyStore;
  clock: { now: number };
}

export function harness(options: Partial<CryptoOptions> = {}, provider?: KeyProvider): Harness {
  const store = new InMemoryWrappedKeyStore();
  const clock = { now: 1_750_000_000_000 };
  const services = createCrypto({
    keyStore: store,
    provider: provider ?? new LocalKeyProvider(randomBytes(32)),
    options: { dekCacheSweepIntervalMs: 0, now: () => clock.now, ...options },
  });
  return { ...services, store, clock };
}

export function vector(dims = 512, seed = 1): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = Math.sin(seed * 1000 + i) / 10;
  return v;
}

export const newTenant = (): TenantId => TenantId.generate();

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}
