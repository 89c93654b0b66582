#!/usr/bin/env node
// Installs the face models into a local cache (never into git): idempotent, every file checked against
// its pinned SHA-256. Sources, in order: an offline mirror folder, then the public source of each file
// (the faceplugin npm tarball via `npm pack`, YuNet's raw file at a pinned commit).
//
//   node infra/scripts/install-models.mjs [--dir <cache>] [--mirror <folder>]
//
// Defaults: --dir from FACESEARCH_MODELS_DIR or <repo>/.cache/models; --mirror from FACESEARCH_MODELS_MIRROR.
// The hashes below must match libs/face/src/models/builtin-manifests.ts (a spec checks that).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const FACEPLUGIN_TARBALL = {
  spec: 'faceplugin-face-recognition-js@0.0.1',
  file: 'faceplugin-face-recognition-js-0.0.1.tgz',
  sha256: '7ea06031d9a3f83753254fcff60506a07b81b46fc84d4ee024cd041f260ec1ba',
};

export const YUNET_COMMIT = '0047ac24afb1a50a0c6105001c89d1b5b805dbf1';
const YUNET_URL = (file) => `https://raw.githubusercontent.com/ShiqiYu/libfacedetection.train/${YUNET_COMMIT}/onnx/${file}`;

/** Every model file the product may load; `group` is the mirror sub-folder and the source. */
export const MODEL_FILES = [
  { file: 'yunet_n_dynamic.onnx', group: 'yunet', sha256: '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12' },
  { file: 'yunet_s_dynamic.onnx', group: 'yunet', sha256: 'daede24002cc8590f457998cc5e6c9e8b82f45f6bd969506a8913cd4ed10a2d3' },
  { file: 'fr_feature.onnx', group: 'faceplugin', sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581' },
  { file: 'fr_detect.onnx', group: 'faceplugin', sha256: '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854' },
  { file: 'fr_landmark.onnx', group: 'faceplugin', sha256: 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258' },
];

export class ModelInstallError extends Error {}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function readIfValid(path, expected) {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  return sha256(bytes) === expected ? bytes : undefined;
}

function mismatch(what, from, expected, actual) {
  return new ModelInstallError(
    `${what} from ${from} has SHA-256 ${actual}, expected ${expected}: refusing it. ` +
      'The source changed or the download is corrupt; check the file, do not edit the pinned hash to make it pass.',
  );
}

/** Writes through a temporary name so a concurrent reader never sees half a file. */
function writeAtomic(path, bytes) {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function fromMirror(mirror, entry) {
  for (const candidate of [join(mirror, entry.group, entry.file), join(mirror, entry.file)]) {
    if (!existsSync(candidate)) continue;
    const bytes = readFileSync(candidate);
    const actual = sha256(bytes);
    if (actual !== entry.sha256) throw mismatch(entry.file, candidate, entry.sha256, actual);
    return bytes;
  }
  return undefined;
}

async function fromUrl(url) {
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new ModelInstallError(`GET ${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The faceplugin tarball: from the mirror when it holds it, else `npm pack` (its registry client, its cache). */
function facepluginTarball(mirror, workDir, log) {
  const inMirror = mirror && [join(mirror, 'faceplugin', FACEPLUGIN_TARBALL.file), join(mirror, FACEPLUGIN_TARBALL.file)].find(existsSync);
  let path = inMirror;
  if (!path) {
    log(`npm pack ${FACEPLUGIN_TARBALL.spec}`);
    try {
      execFileSync('npm', ['pack', FACEPLUGIN_TARBALL.spec, '--pack-destination', workDir, '--silent'], {
        cwd: workDir,
        stdio: ['ignore', 'ignore', 'pipe'],
        shell: process.platform === 'win32',
      });
    } catch (error) {
      throw new ModelInstallError(`npm pack ${FACEPLUGIN_TARBALL.spec} failed (no registry access? set FACESEARCH_MODELS_MIRROR): ${error.stderr ?? error.message}`);
    }
    path = join(workDir, FACEPLUGIN_TARBALL.file);
  }
  const actual = sha256(readFileSync(path));
  if (actual !== FACEPLUGIN_TARBALL.sha256) throw mismatch(FACEPLUGIN_TARBALL.file, path, FACEPLUGIN_TARBALL.sha256, actual);
  return path;
}

/**
 * Makes sure every model file is in `dir` with its pinned hash. Returns the paths by file name.
 * Throws ModelInstallError on a hash mismatch or when a file cannot be obtained.
 */
export async function ensureModels({ dir, mirror, log = (msg) => console.error(`[models] ${msg}`) } = {}) {
  const cacheDir = resolve(dir ?? process.env.FACESEARCH_MODELS_DIR ?? join(REPO_ROOT, '.cache/models'));
  const mirrorDir = mirror ?? process.env.FACESEARCH_MODELS_MIRROR;
  mkdirSync(cacheDir, { recursive: true });
  const missing = MODEL_FILES.filter((entry) => !readIfValid(join(cacheDir, entry.file), entry.sha256));
  let workDir;
  let extracted = false;
  try {
    for (const entry of missing) {
      const target = join(cacheDir, entry.file);
      if (existsSync(target)) log(`${entry.file} in the cache has the wrong hash: replacing it`);
      let bytes = mirrorDir ? fromMirror(resolve(mirrorDir), entry) : undefined;
      let from = 'mirror';
      if (!bytes && entry.group === 'yunet') {
        from = YUNET_URL(entry.file);
        log(`GET ${from}`);
        bytes = await fromUrl(from);
      }
      if (!bytes && entry.group === 'faceplugin') {
        workDir ??= mkdtempSync(join(tmpdir(), 'facesearch-models-'));
        if (!extracted) {
          // One pass over the 41 MB tarball for all the faceplugin files still missing.
          const tarball = facepluginTarball(mirrorDir && resolve(mirrorDir), workDir, log);
          const members = missing.filter((m) => m.group === 'faceplugin').map((m) => `package/model/${m.file}`);
          execFileSync('tar', ['-xzf', tarball, '-C', workDir, ...members]);
          extracted = true;
        }
        from = `${FACEPLUGIN_TARBALL.spec}/model/${entry.file}`;
        bytes = readFileSync(join(workDir, 'package/model', entry.file));
      }
      const actual = sha256(bytes);
      if (actual !== entry.sha256) throw mismatch(entry.file, from, entry.sha256, actual);
      writeAtomic(target, bytes);
      log(`installed ${entry.file} (${from})`);
    }
  } finally {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
  return Object.fromEntries(MODEL_FILES.map((entry) => [entry.file, join(cacheDir, entry.file)]));
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--dir' && value) options.dir = value;
    else if (flag === '--mirror' && value) options.mirror = value;
    else throw new ModelInstallError(`unknown or incomplete argument ${flag}; usage: install-models.mjs [--dir <cache>] [--mirror <folder>]`);
    i += 1;
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const paths = await ensureModels(options);
    console.error(`[models] ${Object.keys(paths).length} model files ready in ${dirname(Object.values(paths)[0])}`);
  } catch (error) {
    console.error(`[models] ${error instanceof ModelInstallError ? error.message : error.stack ?? error}`);
    process.exit(1);
  }
}
