import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { assertBlobKey, assertBlobPrefix } from './blob-key';
import { type BlobBody, type BlobStore } from './blob-store';
import { StorageError, StorageErrorCode } from './storage.error';

const TMP_DIR = '.tmp';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const STALE_TMP_MS = 60 * 60 * 1000;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/**
 * Blobs as files under one folder (config.storage.localDir), owner-only (0600 files, 0700 folders).
 * put() writes a temporary file in `<root>/.tmp`, fsyncs it and renames it into place, so a reader
 * sees the old blob or the whole new one, and a crash leaves at most a temporary file (swept later).
 */
export class LocalBlobStore implements BlobStore {
  private ready?: Promise<void>;

  constructor(private readonly root: string) {}

  async put(key: string, body: BlobBody): Promise<void> {
    assertBlobKey(key);
    const target = this.pathOf(key);
    const tmp = join(this.root, TMP_DIR, `${randomBytes(12).toString('hex')}.part`);
    try {
      await this.init();
      // The file is opened here, not by a stream: when the body fails, the handle is closed before the
      // catch below removes the file (a stream's own open could land after that removal).
      const fh = await open(tmp, 'wx', FILE_MODE);
      try {
        // Buffers (sealed uploads) in one write call: fewer syscalls than a stream.
        if (Buffer.isBuffer(body)) await fh.writeFile(body);
        else for await (const chunk of body) await fh.write(chunk as Buffer);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.moveIntoPlace(tmp, target);
    } catch (err) {
      // A stream body not read to its end is destroyed: its producer (a sealing stream, say) then
      // ends and wipes its buffers instead of waiting for a reader forever.
      if (!Buffer.isBuffer(body)) body.destroy();
      await rm(tmp, { force: true }).catch(() => undefined);
      throw this.wrap(err, key, 'write');
    }
  }

  /** The key's folder usually exists already: it is created only when the rename says it is missing. */
  private async moveIntoPlace(tmp: string, target: string): Promise<void> {
    try {
      await rename(tmp, target);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
      await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
      await rename(tmp, target);
    }
  }

  async get(key: string): Promise<Readable> {
    assertBlobKey(key);
    try {
      // Open first, so a missing blob rejects here rather than as a stream error later.
      const fh = await open(this.pathOf(key), 'r');
      return fh.createReadStream({ autoClose: true });
    } catch (err) {
      throw this.wrap(err, key, 'read');
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    try {
      // unlink, not rm: a blob is a file, and rm's lstat-then-walk costs three syscalls per delete.
      await unlink(this.pathOf(key));
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return;
      throw this.wrap(err, key, 'delete');
    }
  }

  async exists(key: string): Promise<boolean> {
    assertBlobKey(key);
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return false;
      throw this.wrap(err, key, 'stat');
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    // Walk only the folder the prefix names, then filter by the rest of it.
    const slash = prefix.lastIndexOf('/');
    const start = slash < 0 ? this.root : join(this.root, ...prefix.slice(0, slash).split('/'));
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return;
        throw this.wrap(err, prefix, 'list');
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (dir === this.root && entry.name === TMP_DIR) continue;
          await walk(full);
        } else if (entry.isFile()) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    return keys.sort();
  }

  /**
   * Creates the folders and removes temporary files a crash left behind (once per instance). Other
   * processes share the folder, so only files older than an hour go: theirs may be in flight.
   */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      const tmpDir = join(this.root, TMP_DIR);
      await mkdir(tmpDir, { recursive: true, mode: DIR_MODE });
      const cutoff = Date.now() - STALE_TMP_MS;
      for (const name of await readdir(tmpDir)) {
        const file = join(tmpDir, name);
        const info = await stat(file).catch(() => undefined);
        if (info && info.mtimeMs < cutoff) await rm(file, { force: true }).catch(() => undefined);
      }
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw this.wrap(err, '', 'prepare');
    });
    return this.ready;
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private wrap(err: unknown, key: string, action: string): StorageError {
    if (err instanceof StorageError) return err;
    const code = errno(err);
    if (action === 'read' && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')) {
      return new StorageError(StorageErrorCode.NotFound, `no blob ${key}`, { cause: err });
    }
    return new StorageError(StorageErrorCode.Failure, `could not ${action} blob ${key}${code ? ` (${code})` : ''}`, { cause: err });
  }
}
