/** Tunables of the crypto lib (not environment: AppConfig carries what the operator sets). */
export interface CryptoOptions {
  /** How long a plaintext DEK may stay in memory; also how long a shred takes to reach other replicas. */
  dekCacheTtlMs: number;
  dekCacheMaxEntries: number;
  dekCacheSweepIntervalMs: number;
  /**
   * How long a replica keeps using the tenant's current DEK version before re-reading the store. After
   * rotate(), wait at least this long before the final re-encryption sweep and destroyVersion().
   */
  currentVersionTtlMs: number;
  /** ScheduleKeyDeletion window for tenant-owned KMS keys (KMS allows 7-30). */
  deletionWindowDays: number;
  /** Plaintext bytes per sealed snapshot chunk: the most one snapshot stream holds in memory. */
  snapshotChunkBytes: number;
  kmsRequestTimeoutMs: number;
  kmsMaxAttempts: number;
  /** See AwsKmsKeyProviderOptions.verifyKeyState. */
  verifyKmsKeyState: boolean;
  /** Clock, injectable for tests. */
  now: () => number;
}

export const DEFAULT_CRYPTO_OPTIONS: CryptoOptions = {
  dekCacheTtlMs: 5 * 60_000,
  dekCacheMaxEntries: 10_000,
  dekCacheSweepIntervalMs: 30_000,
  currentVersionTtlMs: 30_000,
  deletionWindowDays: 7,
  snapshotChunkBytes: 1 << 20,
  kmsRequestTimeoutMs: 3_000,
  kmsMaxAttempts: 2,
  verifyKmsKeyState: true,
  now: () => Date.now(),
};

export function resolveCryptoOptions(overrides: Partial<CryptoOptions> = {}): CryptoOptions {
  const options = { ...DEFAULT_CRYPTO_OPTIONS, ...overrides };
  if (!Number.isInteger(options.deletionWindowDays) || options.deletionWindowDays < 7 || options.deletionWindowDays > 30) {
    throw new RangeError('deletionWindowDays must be an integer from 7 to 30 (the KMS limits)');
  }
  if (!Number.isInteger(options.snapshotChunkBytes) || options.snapshotChunkBytes < 1 || options.snapshotChunkBytes > 64 << 20) {
    throw new RangeError('snapshotChunkBytes must be from 1 byte to 64 MiB');
  }
  return options;
}
