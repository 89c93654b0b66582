import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBase64, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

import { LARGE_INDEX_KINDS, type LargeIndexKind } from './app-config';

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the product reads, validated in one pass at boot.
 * Defaults make `npm start` work on a developer machine; production requires explicit secrets
 * (enforced in load-config.ts). Keep .env.example and README's table in step with this class.
 */
export class EnvSchema {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsString()
  BIND_HOST = '127.0.0.1';

  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  VECTOR_INDEX_PORT = 3001;

  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  INDEXER_PORT = 3002;

  @Type(() => Number) @IsInt() @Min(1024) @Max(10 * 1024 * 1024)
  JSON_BODY_LIMIT_BYTES = 1024 * 1024;

  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/facesearch';

  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(16)
  DATABASE_APP_PASSWORD?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:_-]{1,64}$/)
  REDIS_PREFIX = 'facesearch';

  @IsString()
  FACESEARCH_DATA_DIR = '.facesearch';

  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(32)
  FACESEARCH_OPERATOR_TOKEN?: string;

  @Transform(blankToUndefined) @IsOptional() @IsBase64() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'FACESEARCH_MASTER_KEY must be 32 bytes, base64-encoded' })
  FACESEARCH_MASTER_KEY?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  @IsIn(['local', 'aws-kms'])
  KMS_PROVIDER: 'local' | 'aws-kms' = 'local';

  @Transform(blankToUndefined) @IsOptional() @IsString()
  KMS_KEY_ID?: string;

  @IsString()
  AWS_REGION = 'us-east-1';

  @Transform(blankToUndefined) @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  AWS_KMS_ENDPOINT?: string;

  @Transform(blankToUndefined) @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  AWS_S3_ENDPOINT?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  AWS_ACCESS_KEY_ID?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  AWS_SECRET_ACCESS_KEY?: string;

  @IsIn(['local', 's3'])
  BLOB_STORE: 'local' | 's3' = 'local';

  @Transform(blankToUndefined) @IsOptional() @IsString()
  S3_BUCKET?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  FACESEARCH_MODELS_DIR?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  FACESEARCH_MODELS_MIRROR?: string;

  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/)
  FACE_MODEL_SET = 'yunet-arcface-v1';

  @Transform(blankToUndefined) @IsOptional() @IsString()
  FACE_MODEL_MANIFEST?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(64)
  FACE_POOL_SIZE = 1;

  /** Load the face models as an app starts instead of on its first image. Empty: true, except under NODE_ENV=test. */
  @Transform(blankToUndefined) @IsOptional() @IsIn(['true', 'false'])
  FACE_ENGINE_PRELOAD?: 'true' | 'false';

  @Type(() => Number) @IsInt() @Min(1) @Max(256)
  INDEXER_CONCURRENCY = 2;

  /** How long a worker's claim on a job lasts without renewal: a killed worker's jobs are retried after it. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  INDEXER_LOCK_DURATION_MS = 30_000;

  /** How often the retention sweep runs (faces older than a tenant's retentionDays are erased); 0 turns it off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(7 * 86_400_000)
  RETENTION_SWEEP_INTERVAL_MS = 3_600_000;

  /** Comma-separated vector-index replicas; tenants are placed on them by rendezvous hashing. */
  @IsString()
  VECTOR_INDEX_URLS = 'http://127.0.0.1:3001';

  @Type(() => Number) @IsInt() @Min(16) @Max(1_048_576)
  VECTOR_INDEX_MEMORY_BUDGET_MB = 2048;

  /** Index of tenants above 4000 faces: 'scan' (1-bit codes + exact re-rank, match recall ~1 at 1M) or 'hnsw' (graph). */
  @IsIn(LARGE_INDEX_KINDS)
  VECTOR_INDEX_LARGE_INDEX: LargeIndexKind = 'scan';

  @Type(() => Number) @IsInt() @Min(1024) @Max(200 * 1024 * 1024)
  IMAGE_MAX_BYTES = 20 * 1024 * 1024;

  @Type(() => Number) @IsInt() @Min(1_000_000) @Max(500_000_000)
  IMAGE_MAX_PIXELS = 60_000_000;

  @IsIn(['true', 'false'])
  SOURCE_URL_ALLOW_HTTP: 'true' | 'false' = 'false';

  /** Comma-separated CIDRs or host names URL sources may reach although private (tests, on-premise). */
  @IsString()
  SOURCE_PRIVATE_ALLOWLIST = '';

  @Type(() => Number) @IsInt() @Min(100) @Max(120_000)
  SOURCE_FETCH_TIMEOUT_MS = 10_000;

  @Type(() => Number) @IsInt() @Min(0) @Max(10)
  SOURCE_MAX_REDIRECTS = 3;
}
