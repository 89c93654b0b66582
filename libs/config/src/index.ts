export { type AppConfig, type Environment, type LogLevel, appDbRole } from './app-config';
export { ConfigError, ConfigErrorCode } from './config.error';
export { ConfigModule, APP_CONFIG } from './config.module';
export { loadConfig } from './load-config';
