import { type TenantId } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { type DekCacheStats } from './dek-cache';
import { type KeyProviderName } from './key-provider';
import { currentOf, type KmsCallStats, type TenantKeyring } from './tenant-keyring';
import { type KeyOwner, type WrappedKeyRecord } from './wrapped-key-store';

/** A DEK version as the API and audit may show it: metadata only, never key material. */
export interface KeyVersionInfo {
  version: number;
  current: boolean;
  provider: KeyProviderName;
  kmsKeyId: string | null;
  keyOwner: KeyOwner;
  createdAt: Date;
  destroyedAt: Date | null;
}

export interface RotateResult {
  version: number;
  previousVersion: number;
}

export interface ShredResult {
  versionsDestroyed: number[];
  /** Tenant-owned KMS keys now pending deletion (or already were). */
  kmsKeysScheduledForDeletion: string[];
  deletionWindowDays: number;
}

export interface CryptoStats {
  kmsCalls: KmsCallStats;
  dekCache: DekCacheStats;
}

/** The tenant key lifecycle: provision, rotate, destroy a version, shred. Routes and jobs call these. */
export class TenantKeyService {
  constructor(private readonly keyring: TenantKeyring) {}

  /**
   * Creates DEK version 1 when the tenant has none (call it when creating the tenant). With `kmsKeyId`
   * (BYOK, aws-kms only) the DEK is wrapped under the tenant's own KMS key, and later versions follow it.
   * Idempotent; refused with key_destroyed for a shredded tenant.
   */
  async provisionTenant(tenantId: TenantId, options: { kmsKeyId?: string } = {}): Promise<KeyVersionInfo> {
    const records = await this.keyring.store.list(tenantId);
    if (records.length > 0) {
      const current = currentOf(records);
      return info(records.find((r) => r.version === current)!, current);
    }
    const owner: KeyOwner = options.kmsKeyId === undefined ? 'shared' : 'tenant';
    const stored = await this.keyring.createVersion(tenantId, 1, owner, options.kmsKeyId);
    this.keyring.noteCurrentVersion(tenantId, stored.version);
    return info(stored, stored.version);
  }

  /**
   * A new DEK version becomes current for new data on this replica at once (others within
   * currentVersionTtlMs); older versions keep decrypting until destroyed. By default the new DEK is
   * wrapped under the same KMS key as the current one.
   */
  async rotate(tenantId: TenantId, options: { kmsKeyId?: string } = {}): Promise<RotateResult> {
    const records = await this.keyring.store.list(tenantId);
    const previousVersion = currentOf(records);
    const previous = records.find((r) => r.version === previousVersion)!;
    const next = Math.max(...records.map((r) => r.version)) + 1;
    const owner: KeyOwner = options.kmsKeyId !== undefined ? 'tenant' : previous.keyOwner;
    const kmsKeyId = options.kmsKeyId ?? (previous.keyOwner === 'tenant' ? (previous.kmsKeyId ?? undefined) : undefined);
    const stored = await this.keyring.createVersion(tenantId, next, owner, kmsKeyId);
    this.keyring.noteCurrentVersion(tenantId, stored.version);
    return { version: stored.version, previousVersion };
  }

  /**
   * Destroys one old version (after its data was re-encrypted). Blobs still under it then fail with
   * key_destroyed. The current version is refused (key_version_in_use). Idempotent.
   */
  async destroyVersion(tenantId: TenantId, version: number): Promise<void> {
    const records = await this.keyring.store.list(tenantId);
    if (!records.some((r) => r.version === version)) {
      throw new CryptoError(CryptoErrorCode.UnknownKeyVersion, `Data key version ${version} does not exist for this tenant`);
    }
    // Re-read, not the cache: another replica may have rotated.
    if (currentOf(records) === version) {
      throw new CryptoError(CryptoErrorCode.KeyVersionInUse, `Data key version ${version} is current; rotate first`);
    }
    await this.keyring.store.destroy(tenantId, version, new Date(this.keyring.options.now()));
    this.keyring.cache.evict(tenantId, version);
  }

  /**
   * Crypto-shredding: erases every wrapped DEK (tombstones stay, so encrypt is refused and decrypt says
   * key_destroyed), zeroes this replica's cached DEKs, and schedules deletion of tenant-owned KMS keys.
   * Other replicas drop their cached DEKs within dekCacheTtlMs, or at once if evictTenant() is broadcast.
   * Idempotent: re-run it after a kms_unavailable to finish the KMS part.
   */
  async shredTenant(tenantId: TenantId): Promise<ShredResult> {
    const records = await this.keyring.store.list(tenantId);
    await this.keyring.store.destroy(tenantId, undefined, new Date(this.keyring.options.now()));
    this.keyring.evictTenant(tenantId);
    const owned = new Set<string>();
    for (const r of records) if (r.keyOwner === 'tenant' && r.kmsKeyId) owned.add(r.kmsKeyId);
    const scheduled: string[] = [];
    for (const kmsKeyId of owned) {
      const outcome = await this.keyring.scheduleKeyDeletion(kmsKeyId);
      if (outcome === 'scheduled' || outcome === 'already_pending') scheduled.push(kmsKeyId);
    }
    return {
      versionsDestroyed: records.filter((r) => !r.destroyedAt).map((r) => r.version),
      kmsKeysScheduledForDeletion: scheduled,
      deletionWindowDays: this.keyring.options.deletionWindowDays,
    };
  }

  /** Every version, destroyed ones included, for the tenant summary and the rotation job. */
  async listVersions(tenantId: TenantId): Promise<KeyVersionInfo[]> {
    const records = await this.keyring.store.list(tenantId);
    let current = 0;
    try {
      current = currentOf(records);
    } catch {
      // No live version: every row is shown as not current.
    }
    return records.map((r) => info(r, current));
  }

  /** Drops this replica's cached DEKs and current version of a tenant (for a cross-replica broadcast). */
  evictTenant(tenantId: TenantId): void {
    this.keyring.evictTenant(tenantId);
  }

  /** Readiness: can the provider be reached and is its key usable? Throws kms_unavailable otherwise. */
  checkHealth(): Promise<void> {
    return this.keyring.provider.checkHealth();
  }

  stats(): CryptoStats {
    return { kmsCalls: this.keyring.kmsCallStats(), dekCache: this.keyring.cache.stats() };
  }
}

function info(r: WrappedKeyRecord, current: number): KeyVersionInfo {
  return {
    version: r.version,
    current: r.version === current,
    provider: r.provider,
    kmsKeyId: r.kmsKeyId,
    keyOwner: r.keyOwner,
    createdAt: r.createdAt,
    destroyedAt: r.destroyedAt,
  };
}
