export { createLogger, REDACT_PATHS } from './logger.factory';
export { NestPinoLogger } from './nest-logger.adapter';
export { MetricsService } from './metrics.service';
export { ObservabilityModule } from './observability.module';
