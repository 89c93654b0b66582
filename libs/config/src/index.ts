export { type AppConfig, type Environment, type LargeIndexKind, type LogLevel, appDbRole, LARGE_INDEX_KINDS } from './app-config';
export { ConfigError, ConfigErrorCode } from './config.error';
export { ConfigModule, APP_CONFIG } from './config.module';
export { loadConfig } from './load-config';
