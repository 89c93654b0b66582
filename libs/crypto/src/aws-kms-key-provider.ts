import {
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  type KeyMetadata,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { type AppConfig } from '@app/config';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import {
  type DataKeyContext,
  type GeneratedDataKey,
  type KeyProvider,
  type ScheduleDeletionOutcome,
} from './key-provider';
import { mapKmsError } from './kms-error.mapper';

const DEK_BYTES = 32;

export interface AwsKmsKeyProviderOptions {
  region: string;
  /** moto / LocalStack / VPC endpoint. */
  endpoint?: string;
  /** Omitted: the SDK's default chain (instance role, env, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The shared CMK (id, ARN or alias) for tenants without their own key. */
  defaultKeyId: string;
  /** Per-attempt time limit; KMS is on the request path of a DEK cache miss, so fail fast (503). */
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /**
   * Check the CMK is `Enabled` (DescribeKey) before each generate/unwrap. AWS itself refuses keys that
   * are disabled or pending deletion, but emulators (moto 5.x) do not; this makes the refusal ours and
   * typed (key_destroyed vs kms_unavailable) everywhere. Costs one more call per DEK cache miss and the
   * kms:DescribeKey permission on tenant-owned keys.
   */
  verifyKeyState?: boolean;
}

/** AWS KMS envelope provider: GenerateDataKey (AES_256) + Decrypt, EncryptionContext {tenantId, purpose}. */
export class AwsKmsKeyProvider implements KeyProvider {
  readonly name = 'aws-kms' as const;
  readonly defaultKeyId: string;
  private readonly client: KMSClient;
  private readonly verifyKeyState: boolean;
  private sharedKeyArn: Promise<string> | undefined;
  private requests = 0;

  constructor(options: AwsKmsKeyProviderOptions, client?: KMSClient) {
    this.defaultKeyId = options.defaultKeyId;
    this.verifyKeyState = options.verifyKeyState ?? true;
    this.client =
      client ??
      new KMSClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts ?? 2,
        requestHandler: { requestTimeout: options.requestTimeoutMs ?? 3000, connectionTimeout: 1000 },
      });
    // Counts HTTP attempts (retries included), so benches and metrics see real KMS traffic.
    this.client.middlewareStack.add(
      (next) => (args) => {
        this.requests++;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'facesearchKmsRequestCounter' },
    );
  }

  static fromConfig(config: Pick<AppConfig, 'kms' | 'aws'>, overrides: Partial<AwsKmsKeyProviderOptions> = {}): AwsKmsKeyProvider {
    const { kms, aws } = config;
    if (!kms.keyId) throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'KMS_KEY_ID is required with KMS_PROVIDER=aws-kms');
    const credentials =
      aws.accessKeyId && aws.secretAccessKey ? { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } : undefined;
    return new AwsKmsKeyProvider({ region: aws.region, endpoint: kms.endpoint, credentials, defaultKeyId: kms.keyId, ...overrides });
  }

  async generateDataKey(ctx: DataKeyContext, kmsKeyId?: string): Promise<GeneratedDataKey> {
    const keyId = kmsKeyId ?? this.defaultKeyId;
    await this.assertUsable(keyId, 'generate a data key');
    try {
      const out = await this.client.send(
        new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext(ctx) }),
      );
      if (!out.CiphertextBlob || !out.KeyId) {
        out.Plaintext?.fill(0);
        throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'KMS returned an incomplete data key');
      }
      return { plaintext: takePlaintext(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob), kmsKeyId: out.KeyId };
    } catch (err) {
      throw mapKmsError(err, 'generate a data key');
    }
  }

  async unwrapDataKey(ctx: DataKeyContext, wrapped: Buffer, kmsKeyId: string | null): Promise<Buffer> {
    const keyId = kmsKeyId ?? this.defaultKeyId;
    await this.assertUsable(keyId, 'unwrap a data key');
    try {
      // KeyId pins the CMK: a blob wrapped under another key is refused instead of silently accepted.
      const out = await this.client.send(
        new DecryptCommand({ CiphertextBlob: wrapped, KeyId: keyId, EncryptionContext: encryptionContext(ctx) }),
      );
      return takePlaintext(out.Plaintext);
    } catch (err) {
      throw mapKmsError(err, 'unwrap a data key');
    }
  }

  async scheduleKeyDeletion(kmsKeyId: string, pendingWindowDays: number): Promise<ScheduleDeletionOutcome> {
    let target: KeyMetadata | undefined;
    try {
      target = (await this.client.send(new DescribeKeyCommand({ KeyId: kmsKeyId }))).KeyMetadata;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') return 'not_found';
      throw mapKmsError(err, 'describe a key');
    }
    // Deleting the shared CMK would shred every tenant: refuse, whatever the stored record claims.
    if (!target?.Arn || target.Arn === (await this.resolveSharedKeyArn())) return 'refused_shared_key';
    if (target.KeyState === 'PendingDeletion' || target.KeyState === 'PendingReplicaDeletion') return 'already_pending';
    try {
      // The bare key id (not the ARN) works on AWS and on moto, which only resolves bare ids here.
      await this.client.send(new ScheduleKeyDeletionCommand({ KeyId: target.KeyId ?? target.Arn, PendingWindowInDays: pendingWindowDays }));
      return 'scheduled';
    } catch (err) {
      if ((err as { name?: string }).name === 'KMSInvalidStateException') return 'already_pending';
      throw mapKmsError(err, 'schedule key deletion');
    }
  }

  /** HTTP requests sent to KMS so far (DescribeKey checks and retries included). */
  requestCount(): number {
    return this.requests;
  }

  async checkHealth(): Promise<void> {
    await this.assertUsable(this.defaultKeyId, 'check health', true);
  }

  close(): void {
    this.client.destroy();
  }

  private async assertUsable(keyId: string, action: string, always = false): Promise<void> {
    if (!this.verifyKeyState && !always) return;
    let state: string | undefined;
    try {
      state = (await this.client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
    } catch (err) {
      throw mapKmsError(err, action);
    }
    if (state === 'Enabled') return;
    if (state === 'PendingDeletion' || state === 'PendingReplicaDeletion') {
      throw new CryptoError(CryptoErrorCode.KeyDestroyed, `KMS key is pending deletion (${action})`);
    }
    throw new CryptoError(CryptoErrorCode.KmsUnavailable, `KMS key is not usable: ${state ?? 'unknown state'} (${action})`);
  }

  private resolveSharedKeyArn(): Promise<string> {
    this.sharedKeyArn ??= this.client
      .send(new DescribeKeyCommand({ KeyId: this.defaultKeyId }))
      .then((out) => {
        if (!out.KeyMetadata?.Arn) throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'KMS did not describe the shared key');
        return out.KeyMetadata.Arn;
      })
      .catch((err: unknown) => {
        this.sharedKeyArn = undefined;
        throw mapKmsError(err, 'describe the shared key');
      });
    return this.sharedKeyArn;
  }
}

function encryptionContext(ctx: DataKeyContext): Record<string, string> {
  return { tenantId: ctx.tenantId, purpose: ctx.purpose };
}

/** Copies the SDK's plaintext into a Buffer we own and zero-fills the SDK's copy. */
function takePlaintext(plaintext: Uint8Array | undefined): Buffer {
  if (!plaintext || plaintext.length !== DEK_BYTES) {
    plaintext?.fill(0);
    throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'KMS returned a data key of the wrong size');
  }
  const dek = Buffer.from(plaintext);
  plaintext.fill(0);
  return dek;
}
