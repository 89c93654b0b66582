import { type TenantId } from '@app/contracts';
import { type KeyProviderName } from './key-provider';

/** Whose KMS key wrapped the DEK: ours (shared) or the tenant's own (BYOK, deleted when the tenant is shredded). */
export type KeyOwner = 'shared' | 'tenant';

/** One DEK version of a tenant, as stored. The plaintext DEK is never stored. */
export interface WrappedKeyRecord {
  readonly tenantId: TenantId;
  /** 1, 2, 3…: the highest live version is the one new data is sealed under. */
  readonly version: number;
  readonly provider: KeyProviderName;
  /** The KMS key that wrapped this DEK (ARN for aws-kms); null for `local`. */
  readonly kmsKeyId: string | null;
  readonly keyOwner: KeyOwner;
  /** Null once destroyed: the row stays as a tombstone so reads say key_destroyed and encrypt is refused. */
  readonly wrappedKey: Buffer | null;
  readonly createdAt: Date;
  readonly destroyedAt: Date | null;
}

/**
 * PORT: where wrapped DEKs live (Postgres in the product, InMemoryWrappedKeyStore in tests).
 * Suggested table: wrapped_data_keys(tenant_id uuid, version int, provider text, kms_key_id text null,
 * key_owner text, wrapped_key bytea null, created_at timestamptz, destroyed_at timestamptz null,
 * primary key (tenant_id, version)) under the tenant's RLS policy.
 */
export interface WrappedKeyStore {
  /** Every version of the tenant, tombstones included, ascending by version. */
  list(tenantId: TenantId): Promise<WrappedKeyRecord[]>;
  get(tenantId: TenantId, version: number): Promise<WrappedKeyRecord | null>;
  /**
   * Inserts unless (tenantId, version) already exists, and returns the stored row: the existing one on
   * conflict (INSERT … ON CONFLICT DO NOTHING, then SELECT), so replicas racing to create a version agree.
   */
  insertIfAbsent(record: WrappedKeyRecord): Promise<WrappedKeyRecord>;
  /**
   * Crypto-shredding: sets wrapped_key = NULL and destroyed_at = `at` for one version, or for every
   * version when `version` is undefined. Idempotent; keeps an already-set destroyed_at.
   */
  destroy(tenantId: TenantId, version: number | undefined, at: Date): Promise<void>;
}
