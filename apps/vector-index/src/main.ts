import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { createLogger, NestPinoLogger } from '@app/observability';
import { PersistenceModule, PgWrappedKeyStore } from '@app/persistence';
import { createVectorIndexApp } from './create-vector-index-app';
import { type EmbeddingSource } from './embedding-source';

/**
 * Placeholder until the Postgres EmbeddingSource (faces + sealed embeddings, issue 9) is wired here:
 * every tenant is built empty from the database and only adds made while it is loaded are searchable.
 */
const UNWIRED_SOURCE: EmbeddingSource = {
  // eslint-disable-next-line require-yield
  async *streamSince() {
    return;
  },
  maxSeq: async () => 0,
};

async function main(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger({ level: config.logLevel, app: 'vector-index' });
  const app = await createVectorIndexApp(config, new NestPinoLogger(pino), {
    imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
    embeddingSource: { useValue: UNWIRED_SOURCE },
  });
  pino.warn({ msg: 'vector-index runs without a database EmbeddingSource: indexes start empty after every load' });
  await app.listen(config.vectorIndex.port, config.http.host);
  pino.info({ msg: 'vector-index listening', port: config.vectorIndex.port });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `vector-index failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
