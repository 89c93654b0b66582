import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'facesearch-vi-';

/**
 * Where plaintext index files exist for the moment hnswlib needs a file path (it reads and writes
 * indexes only as files): a 0700 folder of this process, by default in /dev/shm (memory, so plaintext
 * embeddings never reach a disk), removed at shutdown. Files in it live only while a snapshot is being
 * sealed or opened. Note: /dev/shm counts against memory (one tenant's index size, transiently).
 */
export class ScratchDir {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static create(baseDir?: string): ScratchDir {
    const base = baseDir ?? defaultBase();
    sweepStale(base);
    return new ScratchDir(mkdtempSync(join(base, `${PREFIX}${process.pid}-`)));
  }

  /** A fresh base name for one snapshot's files (`<base>.ids`, `<base>.body`). */
  file(label: string): string {
    return join(this.path, `${label.replace(/[^A-Za-z0-9-]/g, '_')}-${randomBytes(6).toString('hex')}`);
  }

  async remove(base: string): Promise<void> {
    await Promise.all([rm(`${base}.ids`, { force: true }), rm(`${base}.body`, { force: true })]);
  }

  close(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

function defaultBase(): string {
  try {
    if (existsSync('/dev/shm') && statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    /* fall through */
  }
  return tmpdir();
}

/**
 * Folders a crashed process left: its pid is gone, or is ours (a container restarted with the same pid;
 * this process has not made its folder yet).
 */
function sweepStale(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^facesearch-vi-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || (pid !== process.pid && isAlive(pid))) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      /* another user's folder: leave it */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
