import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig } from '@app/config';
import { IndexServiceError, IndexServiceErrorCode } from './vector-index.error';
import { VectorIndexModule, type VectorIndexModuleOptions } from './vector-index.module';
import { resolveVectorIndexOptions } from './vector-index.options';

/** Builds the vector-index service exactly as production runs it; main.ts and the e2e tests both use this. */
export async function createVectorIndexApp(
  config: AppConfig,
  logger: LoggerService,
  moduleOptions: VectorIndexModuleOptions,
): Promise<NestExpressApplication> {
  const options = resolveVectorIndexOptions(moduleOptions.options);
  const app = await NestFactory.create<NestExpressApplication>(VectorIndexModule.forRoot(config, moduleOptions), {
    bodyParser: false,
    logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: options.maxBodyBytes });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: () => new IndexServiceError(IndexServiceErrorCode.InvalidRequest, 'The request body is malformed.'),
    }),
  );
  app.enableShutdownHooks();
  return app;
}
