#!/usr/bin/env node
// `npm start`: builds, then runs the whole stack (gateway, indexer worker, vector-index) on embedded
// defaults against the local Postgres and Redis; waits until the gateway is ready and prints where
// everything is. Ctrl-C stops all three.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const say = (msg) => process.stdout.write(`[facesearch] ${msg}\n`);

say('installing face models (cached, hash-checked)…');
const models = spawnSync(process.execPath, [join(root, 'infra/scripts/install-models.mjs')], { cwd: root, stdio: 'inherit' });
if (models.status !== 0) {
  // The API, keys and audit work without them; indexing and search need them.
  say('face models are not installed (no internet? set FACESEARCH_MODELS_MIRROR to a folder holding them); indexing and search will refuse work until they are');
}
say('building…');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  say('build failed');
  process.exit(build.status ?? 1);
}

buildHnswlibSimd();

/**
 * The vector index runs ~1.2-2x faster with hnswlib compiled for this CPU (infra/scripts/build-hnswlib-simd.mjs,
 * into .cache/hnswlib-simd; HNSWLIB_SIMD_FLAGS overrides -march=native). Skipped when the build there is
 * current; if it fails the service runs npm's portable build (it checks the CPU flags at start either way).
 */
function buildHnswlibSimd() {
  const out = join(root, '.cache/hnswlib-simd');
  const flags = (process.env.HNSWLIB_SIMD_FLAGS ?? '-march=native').split(/\s+/).filter(Boolean);
  try {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/hnswlib-node/package.json'), 'utf8')).version;
    const current =
      existsSync(join(out, 'addon.node')) &&
      manifest.hnswlibVersion === installed &&
      manifest.nodeAbi === process.versions.modules &&
      manifest.platform === `${process.platform}-${process.arch}` &&
      JSON.stringify(manifest.flags) === JSON.stringify(flags);
    if (current) return say(`hnswlib SIMD build is current (${flags.join(' ')})`);
  } catch {
    /* none yet, or unreadable: build it */
  }
  say(`building hnswlib with SIMD (${flags.join(' ')})…`);
  const simd = spawnSync(process.execPath, [join(root, 'infra/scripts/build-hnswlib-simd.mjs'), `--flags=${flags.join(' ')}`], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (simd.status === 0) return say('hnswlib SIMD build done');
  process.stderr.write(`${`${simd.stdout ?? ''}${simd.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n')}\n`);
  say('the hnswlib SIMD build failed (above); the vector index will run the portable build (slower search)');
}

const apps = ['gateway', 'indexer', 'vector-index'];
const children = new Map();
let gatewayInfo;
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all([...children.values()].map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}

for (const app of apps) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, `dist/apps/${app}/src/main.js`)], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(app, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${app.padEnd(12)} | ${line}\n`);
      if (app === 'gateway' && line.includes('"gateway listening"')) {
        try {
          gatewayInfo = JSON.parse(line);
        } catch {
          /* not JSON */
        }
      }
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${app} exited (${signal ?? code}); stopping the stack`);
      stopAll(code || 1);
    }
  });
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const deadline = Date.now() + 90_000;
while (!stopping) {
  if (gatewayInfo) {
    try {
      const r = await fetch(`${gatewayInfo.url}/health/ready`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
  }
  if (Date.now() > deadline) {
    say('the gateway did not become ready within 90 s; see the logs above');
    stopAll(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!stopping) {
  say('ready');
  say(`gateway:        ${gatewayInfo.url}`);
  say(`API docs:       ${gatewayInfo.docs}`);
  say(
    gatewayInfo.operatorTokenFile
      ? `operator token: ${gatewayInfo.operatorTokenFile}  (export FS_OPERATOR_TOKEN=$(cat ${gatewayInfo.operatorTokenFile}))`
      : 'operator token: FACESEARCH_OPERATOR_TOKEN (from your environment)',
  );
}
