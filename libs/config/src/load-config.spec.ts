import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

const tmp = () => mkdtempSync(join(tmpdir(), 'fs-config-'));

describe('loadConfig', () => {
  it('lists every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'http://x', NODE_ENV: 'staging', FACESEARCH_DATA_DIR: tmp() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('REDIS_URL');
    expect(problems).toContain('NODE_ENV');
  });

  it('refuses production without explicit secrets and names each of them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', FACESEARCH_DATA_DIR: tmp() })).toThrow(
      /FACESEARCH_OPERATOR_TOKEN[\s\S]*DATABASE_APP_PASSWORD[\s\S]*FACESEARCH_MASTER_KEY/,
    );
  });

  it('starts production when the secrets are given, without touching the data folder', () => {
    const dir = join(tmp(), 'never-created');
    const cfg = loadConfig({
      NODE_ENV: 'production',
      FACESEARCH_DATA_DIR: dir,
      FACESEARCH_OPERATOR_TOKEN: 'x'.repeat(40),
      DATABASE_APP_PASSWORD: 'p'.repeat(20),
      FACESEARCH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(cfg.isProduction).toBe(true);
    expect(cfg.generatedSecrets).toEqual([]);
    expect(cfg.kms.masterKey?.length).toBe(32);
    expect(() => statSync(dir)).toThrow();
  });

  it('creates development secrets once with mode 0600 and reuses them', () => {
    const dir = tmp();
    const first = loadConfig({ FACESEARCH_DATA_DIR: dir });
    expect(first.generatedSecrets).toHaveLength(3);
    const tokenFile = join(dir, 'operator-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(first.auth.operatorToken);
    const second = loadConfig({ FACESEARCH_DATA_DIR: dir });
    expect(second.generatedSecrets).toEqual([]);
    expect(second.auth.operatorToken).toBe(first.auth.operatorToken);
    expect(second.kms.masterKey?.equals(first.kms.masterKey!)).toBe(true);
  });

  it('applies defaults and coerces numbers', () => {
    const cfg = loadConfig({ FACESEARCH_DATA_DIR: tmp(), PORT: '4000' });
    expect(cfg.http.port).toBe(4000);
    expect(cfg.redis.url).toBe('redis://127.0.0.1:6379');
    expect(cfg.rateLimit.perMinute).toBe(600);
  });
});
