export { type AppConfig, type Environment, type LogLevel, APP_DB_ROLE } from './app-config';
export { ConfigError, ConfigErrorCode } from './config.error';
export { ConfigModule, APP_CONFIG } from './config.module';
export { loadConfig } from './load-config';
