import { type TenantId } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { type CryptoOptions } from './crypto.options';
import { type DekCache } from './dek-cache';
import { type DataKeyContext, type KeyProvider, type ScheduleDeletionOutcome, TENANT_DATA_KEY_PURPOSE } from './key-provider';
import { type KeyOwner, type WrappedKeyRecord, type WrappedKeyStore } from './wrapped-key-store';

/** Calls made to the key provider (KMS round trips for aws-kms), for the bench and metrics. */
export interface KmsCallStats {
  generateDataKey: number;
  unwrapDataKey: number;
  scheduleKeyDeletion: number;
  total: number;
}

// A key can be evicted between the load finishing and the caller reading it; a few retries settle it
// (and a retry after a shred reads the tombstone and fails with key_destroyed, as it should).
const MAX_KEY_ATTEMPTS = 3;

/**
 * Resolves tenants' DEKs: current version (briefly cached), unwrap through the provider on a cache miss,
 * new versions. Shared by the envelope, snapshot and key-lifecycle services; not exported from the lib.
 */
export class TenantKeyring {
  private readonly current = new Map<TenantId, { version: number; expiresAt: number }>();
  private readonly calls = { generateDataKey: 0, unwrapDataKey: 0, scheduleKeyDeletion: 0 };

  constructor(
    readonly store: WrappedKeyStore,
    readonly provider: KeyProvider,
    readonly cache: DekCache,
    readonly options: CryptoOptions,
  ) {}

  /** The version new data is sealed under. */
  async currentVersion(tenantId: TenantId): Promise<number> {
    const hit = this.current.get(tenantId);
    if (hit && hit.expiresAt > this.options.now()) return hit.version;
    return this.refreshCurrentVersion(tenantId);
  }

  async refreshCurrentVersion(tenantId: TenantId): Promise<number> {
    const version = currentOf(await this.store.list(tenantId));
    this.noteCurrentVersion(tenantId, version);
    return version;
  }

  noteCurrentVersion(tenantId: TenantId, version: number): void {
    this.current.delete(tenantId);
    if (this.current.size >= this.options.dekCacheMaxEntries) this.current.delete(this.current.keys().next().value as TenantId);
    this.current.set(tenantId, { version, expiresAt: this.options.now() + this.options.currentVersionTtlMs });
  }

  /** Runs `use` with the plaintext DEK. `use` must be synchronous and must not keep the buffer. */
  async withDek<T>(tenantId: TenantId, version: number, use: (dek: Buffer) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const dek = this.cache.get(tenantId, version);
      if (dek) return use(dek);
      if (attempt > MAX_KEY_ATTEMPTS) {
        throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'Data key could not be kept in the cache; raise the DEK cache size');
      }
      await this.cache.load(tenantId, version, () => this.unwrap(tenantId, version));
    }
  }

  async withCurrentDek<T>(tenantId: TenantId, use: (dek: Buffer, version: number) => T): Promise<T> {
    const version = await this.currentVersion(tenantId);
    return this.withDek(tenantId, version, (dek) => use(dek, version));
  }

  /** A copy of the DEK for long-lived users (snapshot streams), who zero-fill it when done. */
  copyDek(tenantId: TenantId, version: number): Promise<Buffer> {
    return this.withDek(tenantId, version, (dek) => Buffer.from(dek));
  }

  /** Generates and stores a DEK version; when another replica stored that version first, theirs wins. */
  async createVersion(tenantId: TenantId, version: number, owner: KeyOwner, kmsKeyId?: string): Promise<WrappedKeyRecord> {
    this.calls.generateDataKey++;
    const generated = await this.provider.generateDataKey(context(tenantId), kmsKeyId);
    const stored = await this.store
      .insertIfAbsent({
        tenantId,
        version,
        provider: this.provider.name,
        kmsKeyId: generated.kmsKeyId,
        keyOwner: owner,
        wrappedKey: generated.wrapped,
        createdAt: new Date(this.options.now()),
        destroyedAt: null,
      })
      .catch((err: unknown) => {
        generated.plaintext.fill(0);
        throw err;
      });
    if (stored.wrappedKey && stored.wrappedKey.equals(generated.wrapped)) this.cache.put(tenantId, version, generated.plaintext);
    else generated.plaintext.fill(0);
    return stored;
  }

  async scheduleKeyDeletion(kmsKeyId: string): Promise<ScheduleDeletionOutcome> {
    this.calls.scheduleKeyDeletion++;
    return this.provider.scheduleKeyDeletion(kmsKeyId, this.options.deletionWindowDays);
  }

  evictTenant(tenantId: TenantId): void {
    this.current.delete(tenantId);
    this.cache.evictTenant(tenantId);
  }

  kmsCallStats(): KmsCallStats {
    const { generateDataKey, unwrapDataKey, scheduleKeyDeletion } = this.calls;
    return { generateDataKey, unwrapDataKey, scheduleKeyDeletion, total: generateDataKey + unwrapDataKey + scheduleKeyDeletion };
  }

  close(): void {
    this.cache.close();
    this.current.clear();
    this.provider.close();
  }

  private async unwrap(tenantId: TenantId, version: number): Promise<Buffer> {
    const record = await this.store.get(tenantId, version);
    if (!record) {
      throw new CryptoError(CryptoErrorCode.UnknownKeyVersion, `Data key version ${version} does not exist for this tenant`);
    }
    if (record.destroyedAt || !record.wrappedKey) {
      throw new CryptoError(CryptoErrorCode.KeyDestroyed, `Data key version ${version} was destroyed`);
    }
    if (record.provider !== this.provider.name) {
      throw new CryptoError(CryptoErrorCode.DecryptFailed, `Data key version ${version} was wrapped by another key provider`);
    }
    this.calls.unwrapDataKey++;
    return this.provider.unwrapDataKey(context(tenantId), record.wrappedKey, record.kmsKeyId);
  }
}

/** Highest live version; typed errors for a tenant without keys or with every key destroyed. */
export function currentOf(records: readonly WrappedKeyRecord[]): number {
  if (records.length === 0) throw new CryptoError(CryptoErrorCode.KeyNotProvisioned, 'The tenant has no data key');
  let best = 0;
  for (const r of records) if (!r.destroyedAt && r.wrappedKey && r.version > best) best = r.version;
  if (best === 0) throw new CryptoError(CryptoErrorCode.KeyDestroyed, "The tenant's data keys were destroyed");
  return best;
}

const context = (tenantId: TenantId): DataKeyContext => ({ tenantId, purpose: TENANT_DATA_KEY_PURPOSE });
