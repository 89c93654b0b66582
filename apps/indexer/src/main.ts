import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@app/config';
import { createLogger, NestPinoLogger } from '@app/observability';
import { IndexerModule } from './indexer.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger({ level: config.logLevel, app: 'indexer' });
  const app = await NestFactory.create(IndexerModule.forRoot(config), { logger: new NestPinoLogger(pino), bodyParser: false });
  app.enableShutdownHooks();
  await app.listen(config.indexer.port, config.http.host);
  pino.info({ msg: 'indexer worker running', healthPort: config.indexer.port });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `indexer failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
