export { CryptoError, CryptoErrorCode, isCryptoError } from './crypto.error';
export {
  type KeyProvider,
  type KeyProviderName,
  type DataKeyContext,
  type GeneratedDataKey,
  type ScheduleDeletionOutcome,
  TENANT_DATA_KEY_PURPOSE,
} from './key-provider';
export { LocalKeyProvider } from './local-key-provider';
export { AwsKmsKeyProvider, type AwsKmsKeyProviderOptions } from './aws-kms-key-provider';
export { type WrappedKeyStore, type WrappedKeyRecord, type KeyOwner } from './wrapped-key-store';
export { InMemoryWrappedKeyStore } from './in-memory-wrapped-key-store';
export { type DekCacheStats } from './dek-cache';
export { type KmsCallStats } from './tenant-keyring';
export { EnvelopeService, type SealedEmbedding } from './envelope.service';
export { readEmbeddingHeader, type EmbeddingBlobHeader, EMBEDDING_OVERHEAD_BYTES } from './embedding-blob';
export { SECRET_OVERHEAD_BYTES, SECRET_MAX_BYTES } from './secret-blob';
export { SnapshotCryptoService } from './snapshot-crypto.service';
export { type SnapshotEncryptStream, type SnapshotDecryptStream } from './snapshot-streams';
export {
  TenantKeyService,
  type KeyVersionInfo,
  type RotateResult,
  type ShredResult,
  type CryptoStats,
} from './tenant-key.service';
export { type CryptoOptions, DEFAULT_CRYPTO_OPTIONS } from './crypto.options';
export { createCrypto, createKeyProvider, type CryptoServices } from './create-crypto';
export {
  CryptoModule,
  type CryptoModuleOptions,
  type WrappedKeyStoreProvider,
  WRAPPED_KEY_STORE,
  KEY_PROVIDER,
  CRYPTO_OPTIONS,
} from './crypto.module';
