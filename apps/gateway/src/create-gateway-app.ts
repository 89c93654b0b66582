import { type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { type AppConfig } from '@app/config';
import { GatewayModule } from './gateway.module';
import { validationExceptionFactory } from './http/validation-exception.factory';
import { mountOpenApi } from './openapi';

/** Builds the gateway exactly as production runs it; main.ts and the e2e tests both use this. */
export async function createGatewayApp(config: AppConfig, logger: LoggerService): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), {
    bodyParser: false,
    logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // The docs UI needs inline scripts; everything else keeps helmet's strict defaults.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.useBodyParser('json', { limit: config.http.jsonBodyLimitBytes, type: ['application/json', 'application/*+json'] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.enableShutdownHooks();
  mountOpenApi(app);
  return app;
}
