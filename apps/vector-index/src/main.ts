import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@app/config';
import { createLogger, NestPinoLogger } from '@app/observability';
import { VectorIndexModule } from './vector-index.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger({ level: config.logLevel, app: 'vector-index' });
  const app = await NestFactory.create(VectorIndexModule.forRoot(config), { logger: new NestPinoLogger(pino) });
  app.enableShutdownHooks();
  await app.listen(config.vectorIndex.port, config.http.host);
  pino.info({ msg: 'vector-index listening', port: config.vectorIndex.port });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `vector-index failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
