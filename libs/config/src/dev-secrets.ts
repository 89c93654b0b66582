import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export interface DevSecret {
  value: string;
  path: string;
  created: boolean;
}

/**
 * Reads a development secret from the data folder, creating it (mode 0600, exclusive create so two
 * apps starting at once agree on one value) when missing. Production never calls this.
 */
export function readOrCreateDevSecret(dataDir: string, name: string, generate: () => string): DevSecret {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, name);
  if (!existsSync(path)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${generate()}\n`);
      } finally {
        closeSync(fd);
      }
      chmodSync(path, 0o600);
      return { value: readFileSync(path, 'utf8').trim(), path, created: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return { value: readFileSync(path, 'utf8').trim(), path, created: false };
}

export const generateToken = (): string => randomBytes(32).toString('base64url');
export const generateKey = (): string => randomBytes(32).toString('base64');
