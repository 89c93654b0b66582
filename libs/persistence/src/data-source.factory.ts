import { DataSource, type DataSourceOptions } from 'typeorm';
import { type AppConfig } from '@app/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Same server and database as DATABASE_URL, but logged in as the RLS-bound application role. */
export function appDatabaseUrl(config: AppConfig): string {
  const url = new URL(config.db.adminUrl);
  url.username = config.db.appUser;
  url.password = config.db.appPassword;
  return url.toString();
}

export function appDataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: appDatabaseUrl(config),
    entities: ENTITIES,
    migrations: [],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: config.db.poolSize, connectionTimeoutMillis: 3000, application_name: 'facesearch' },
  };
}

/** The owner connection: used only at boot to migrate and to manage the application role. */
export function adminDataSource(config: AppConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.db.adminUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    extra: { max: 2, connectionTimeoutMillis: 5000, application_name: 'facesearch-migrate' },
  });
}
