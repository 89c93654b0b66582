import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { createLogger, NestPinoLogger } from '@app/observability';
import { PersistenceModule, PgEmbeddingSource, PgWrappedKeyStore } from '@app/persistence';
import { createVectorIndexApp } from './create-vector-index-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger({ level: config.logLevel, app: 'vector-index' });
  const app = await createVectorIndexApp(config, new NestPinoLogger(pino), {
    imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
    // Postgres is the source of truth: a tenant's index is built (or caught up) from its stored embeddings.
    embeddingSource: { useExisting: PgEmbeddingSource },
  });
  await app.listen(config.vectorIndex.port, config.http.host);
  pino.info({ msg: 'vector-index listening', port: config.vectorIndex.port });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `vector-index failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
