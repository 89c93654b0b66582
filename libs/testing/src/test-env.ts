import { resolve } from 'node:path';

/**
 * The services a test run provides (set up by infra/scripts/test.mjs). Tests read their environment
 * only through here; product code never does (it receives AppConfig).
 */
export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  motoUrl: string;
}

function required(name: string, hint: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: ${hint}. Run the suite with \`npm test\`, which starts and wires the real services.`);
  }
  return value;
}

export function testServices(): TestServices {
  return {
    databaseUrl: required('FACESEARCH_TEST_DATABASE_URL', 'integration tests need the fresh Postgres database of this run'),
    redisUrl: process.env.FACESEARCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: required('FACESEARCH_TEST_REDIS_PREFIX', 'integration tests need this run\'s own Redis key prefix'),
    motoUrl: required('FACESEARCH_TEST_MOTO_URL', 'S3/KMS tests need moto in server mode'),
  };
}

export function motoUrl(): string {
  return required('FACESEARCH_TEST_MOTO_URL', 'S3/KMS tests need moto in server mode');
}

/** ../shared beside the checkout: real photos and the model mirror. */
export const SHARED_DIR = resolve(__dirname, '../../../../shared');
export const FACES_DIR = resolve(SHARED_DIR, 'faces');
export const MODELS_MIRROR_DIR = resolve(SHARED_DIR, 'models');
