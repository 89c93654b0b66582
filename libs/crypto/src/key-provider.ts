import { type TenantId } from '@app/contracts';

export type KeyProviderName = 'local' | 'aws-kms';

/** The only purpose today: the tenant's data key, used for embeddings and index snapshots alike. */
export const TENANT_DATA_KEY_PURPOSE = 'tenant-data-key';

/** Bound to every wrap (AAD for `local`, EncryptionContext for `aws-kms`): a wrapped DEK only unwraps for its tenant. */
export interface DataKeyContext {
  readonly tenantId: TenantId;
  readonly purpose: string;
}

export interface GeneratedDataKey {
  /** 32 bytes; the caller owns it and zero-fills it when done. */
  readonly plaintext: Buffer;
  readonly wrapped: Buffer;
  /** The KMS key (ARN as KMS reports it) that wrapped it; null for `local`. */
  readonly kmsKeyId: string | null;
}

export type ScheduleDeletionOutcome = 'scheduled' | 'already_pending' | 'not_found' | 'refused_shared_key';

/** Wraps and unwraps tenant DEKs. Implementations throw CryptoError only. */
export interface KeyProvider {
  readonly name: KeyProviderName;
  /** Key used when the tenant brings none (aws-kms: KMS_KEY_ID); null for `local`. */
  readonly defaultKeyId: string | null;
  generateDataKey(ctx: DataKeyContext, kmsKeyId?: string): Promise<GeneratedDataKey>;
  /** Returns the 32-byte DEK; the caller owns it and zero-fills it when done. */
  unwrapDataKey(ctx: DataKeyContext, wrapped: Buffer, kmsKeyId: string | null): Promise<Buffer>;
  /** Schedules deletion of a tenant-owned KMS key; never touches the shared key. */
  scheduleKeyDeletion(kmsKeyId: string, pendingWindowDays: number): Promise<ScheduleDeletionOutcome>;
  /** For /health/ready: resolves when the provider can wrap and unwrap, else throws kms_unavailable. */
  checkHealth(): Promise<void>;
  /** Zero-fills any key material the provider holds. */
  close(): void;
}
