import { isAbsolute, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { appDbRole, type AppConfig } from './app-config';
import { ConfigError } from './config.error';
import { generateKey, generateToken, readOrCreateDevSecret } from './dev-secrets';
import { EnvSchema } from './env.schema';

type Env = Record<string, string | undefined>;

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg}`));
}

/**
 * The only place that reads the environment. Validates every variable, lists every problem at once,
 * and in development fills missing secrets from the data folder.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const known = Object.fromEntries(SCHEMA_KEYS.map((k) => [k, env[k]]).filter(([, v]) => v !== undefined));
  const schema = plainToInstance(EnvSchema, known, { exposeDefaultValues: true });
  const problems = flatten(validateSync(schema, { whitelist: true, forbidUnknownValues: true }));

  const isProduction = schema.NODE_ENV === 'production';
  if (isProduction) {
    if (!schema.FACESEARCH_OPERATOR_TOKEN) problems.push('FACESEARCH_OPERATOR_TOKEN: required in production');
    if (!schema.DATABASE_APP_PASSWORD) problems.push('DATABASE_APP_PASSWORD: required in production');
    if (schema.KMS_PROVIDER === 'local' && !schema.FACESEARCH_MASTER_KEY)
      problems.push('FACESEARCH_MASTER_KEY: required in production with KMS_PROVIDER=local');
  }
  if (schema.KMS_PROVIDER === 'aws-kms' && !schema.KMS_KEY_ID) problems.push('KMS_KEY_ID: required with KMS_PROVIDER=aws-kms');
  if (!problems.some((p) => p.startsWith('DATABASE_URL')) && !/^[a-z_][a-z0-9_]{0,58}$/.test(appDbRole(schema.DATABASE_URL).slice(0, -4)))
    problems.push('DATABASE_URL: the database name must be lower-case letters, digits and _ (at most 59 characters)');
  const badReplica = splitList(schema.VECTOR_INDEX_URLS).find((u) => !/^https?:\/\/[^/\s]+\/?$/.test(u));
  if (splitList(schema.VECTOR_INDEX_URLS).length === 0 || badReplica !== undefined)
    problems.push(`VECTOR_INDEX_URLS: must be a comma-separated list of http(s)://host:port${badReplica ? ` (bad: ${badReplica})` : ''}`);
  if (schema.BLOB_STORE === 's3' && !schema.S3_BUCKET) problems.push('S3_BUCKET: required with BLOB_STORE=s3');
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = isAbsolute(schema.FACESEARCH_DATA_DIR) ? schema.FACESEARCH_DATA_DIR : resolve(cwd, schema.FACESEARCH_DATA_DIR);
  const generated: string[] = [];
  const devSecret = (explicit: string | undefined, name: string, make: () => string) => {
    if (explicit) return { value: explicit, path: undefined };
    const s = readOrCreateDevSecret(dataDir, name, make);
    if (s.created) generated.push(s.path);
    return { value: s.value, path: s.path };
  };
  const operator = devSecret(schema.FACESEARCH_OPERATOR_TOKEN, 'operator-token', generateToken);
  const dbPassword = devSecret(schema.DATABASE_APP_PASSWORD, 'db-app-password', generateToken);
  const masterKey =
    schema.KMS_PROVIDER === 'local' ? devSecret(schema.FACESEARCH_MASTER_KEY, 'master.key', generateKey).value : undefined;

  return {
    env: schema.NODE_ENV,
    isProduction,
    logLevel: schema.LOG_LEVEL,
    dataDir,
    http: { host: schema.BIND_HOST, port: schema.PORT, jsonBodyLimitBytes: schema.JSON_BODY_LIMIT_BYTES },
    vectorIndex: {
      port: schema.VECTOR_INDEX_PORT,
      urls: splitList(schema.VECTOR_INDEX_URLS),
      memoryBudgetBytes: schema.VECTOR_INDEX_MEMORY_BUDGET_MB * 1024 * 1024,
      largeIndex: schema.VECTOR_INDEX_LARGE_INDEX,
    },
    images: { maxBytes: schema.IMAGE_MAX_BYTES, maxPixels: schema.IMAGE_MAX_PIXELS },
    sources: {
      allowHttp: schema.SOURCE_URL_ALLOW_HTTP === 'true',
      privateAllowlist: splitList(schema.SOURCE_PRIVATE_ALLOWLIST),
      fetchTimeoutMs: schema.SOURCE_FETCH_TIMEOUT_MS,
      maxRedirects: schema.SOURCE_MAX_REDIRECTS,
    },
    indexer: {
      port: schema.INDEXER_PORT,
      concurrency: schema.INDEXER_CONCURRENCY,
      lockDurationMs: schema.INDEXER_LOCK_DURATION_MS,
      retentionSweepIntervalMs: schema.RETENTION_SWEEP_INTERVAL_MS,
    },
    db: { adminUrl: schema.DATABASE_URL, appUser: appDbRole(schema.DATABASE_URL), appPassword: dbPassword.value, poolSize: schema.DATABASE_POOL_SIZE },
    redis: { url: schema.REDIS_URL, prefix: schema.REDIS_PREFIX },
    auth: { operatorToken: operator.value },
    rateLimit: { perMinute: schema.RATE_LIMIT_PER_MINUTE },
    kms: {
      provider: schema.KMS_PROVIDER,
      masterKey: masterKey === undefined ? undefined : Buffer.from(masterKey, 'base64'),
      keyId: schema.KMS_KEY_ID,
      endpoint: schema.AWS_KMS_ENDPOINT,
    },
    aws: { region: schema.AWS_REGION, accessKeyId: schema.AWS_ACCESS_KEY_ID, secretAccessKey: schema.AWS_SECRET_ACCESS_KEY },
    storage: {
      driver: schema.BLOB_STORE,
      localDir: resolve(dataDir, 'blobs'),
      s3Bucket: schema.S3_BUCKET,
      s3Endpoint: schema.AWS_S3_ENDPOINT,
    },
    face: {
      modelsDir: schema.FACESEARCH_MODELS_DIR ? resolve(cwd, schema.FACESEARCH_MODELS_DIR) : resolve(cwd, '.cache/models'),
      modelsMirror: schema.FACESEARCH_MODELS_MIRROR ? resolve(cwd, schema.FACESEARCH_MODELS_MIRROR) : undefined,
      modelSet: schema.FACE_MODEL_SET,
      manifestPath: schema.FACE_MODEL_MANIFEST,
      poolSize: schema.FACE_POOL_SIZE,
      // Test suites start many apps that never analyse an image: they load models on first use.
      preload: schema.FACE_ENGINE_PRELOAD ? schema.FACE_ENGINE_PRELOAD === 'true' : schema.NODE_ENV !== 'test',
    },
    generatedSecrets: generated,
    operatorTokenFile: operator.path,
  };
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

// Every variable the schema declares (optional ones have no initialiser, so read them from the decorators).
const SCHEMA_KEYS = [
  ...new Set(getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName)),
];
