import { Client, escapeLiteral, escapeIdentifier } from 'pg';
import { type AppConfig } from '@app/config';
import { adminDataSource } from './data-source.factory';

/** Any stable number: all apps take the same advisory lock so only one migrates at a time. */
const MIGRATION_LOCK = 7_302_101;

async function ensureDatabaseExists(adminUrl: string): Promise<void> {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
      } catch (err) {
        // Another app created it between our check and our CREATE.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Runs at every app start: creates the database when missing, applies pending migrations under an
 * advisory lock (three apps may start together) and gives the application role its login password.
 * Returns the names of the migrations this call applied.
 */
export async function prepareDatabase(config: AppConfig): Promise<string[]> {
  await ensureDatabaseExists(config.db.adminUrl);
  const ds = adminDataSource(config);
  await ds.initialize();
  try {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const applied = await ds.runMigrations({ transaction: 'each' });
      // Roles are server-wide: set the password every boot so it always matches the configuration.
      await runner.query(
        `ALTER ROLE ${escapeIdentifier(config.db.appUser)} WITH LOGIN PASSWORD ${escapeLiteral(config.db.appPassword)}`,
      );
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  } finally {
    await ds.destroy();
  }
}
