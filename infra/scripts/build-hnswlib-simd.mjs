#!/usr/bin/env node
// Builds a SIMD copy of the hnswlib-node addon into .cache/hnswlib-simd/ (node_modules' portable build
// is left untouched: it stays the fallback). npm's build compiles hnswlib with the compiler's default
// x86-64 target, so its distance code is SSE only; with AVX2/FMA (or AVX-512) it runs ~2x faster.
//
//   node infra/scripts/build-hnswlib-simd.mjs                 # -march=native: the CPU of this machine
//   node infra/scripts/build-hnswlib-simd.mjs --flags="-mavx2 -mfma"   # a chosen target for a fleet
//   node infra/scripts/build-hnswlib-simd.mjs --out=/opt/hnswlib-simd
//
// Writes <out>/addon.node and <out>/manifest.json ({ hnswlibVersion, nodeAbi, flags, requiredCpuFlags }).
// apps/vector-index loads it only when the ABI matches and /proc/cpuinfo has every required flag.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? 'true'];
  }),
);
const flags = (args.flags ?? '-march=native').split(/\s+/).filter(Boolean);
const out = resolve(root, args.out ?? '.cache/hnswlib-simd');
const log = (msg) => process.stderr.write(`[hnswlib-simd] ${msg}\n`);

const pkgDir = dirname(require.resolve('hnswlib-node/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const addonApiInclude = require('node-addon-api').include.replace(/^"|"$/g, '');

// What the flags enable, as the compiler sees them: the CPU must have each of these at run time.
const macros = spawnSync('g++', [...flags, '-dM', '-E', '-x', 'c++', '/dev/null'], { encoding: 'utf8' });
if (macros.status !== 0) {
  log(`g++ rejected ${flags.join(' ')}: ${macros.stderr}`);
  process.exit(1);
}
const MACRO_TO_CPU_FLAG = { __AVX__: 'avx', __AVX2__: 'avx2', __FMA__: 'fma', __AVX512F__: 'avx512f' };
const requiredCpuFlags = Object.entries(MACRO_TO_CPU_FLAG)
  .filter(([macro]) => new RegExp(`#define ${macro} 1`).test(macros.stdout))
  .map(([, flag]) => flag);
if (!requiredCpuFlags.includes('avx')) log(`warning: ${flags.join(' ')} enables no AVX; the build will be no faster than npm's`);

const work = join(out, 'src-build');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(join(pkgDir, 'src'), join(work, 'src'), { recursive: true });
writeFileSync(
  join(work, 'binding.gyp'),
  JSON.stringify(
    {
      targets: [
        {
          target_name: 'addon',
          sources: ['src/addon.cc'],
          include_dirs: [addonApiInclude],
          defines: ['NAPI_DISABLE_CPP_EXCEPTIONS'],
          'cflags!': ['-fno-exceptions'],
          'cflags_cc!': ['-fno-exceptions'],
          cflags: ['-O3', ...flags],
          cflags_cc: ['-O3', ...flags],
        },
      ],
    },
    null,
    2,
  ),
);

// npm's bundled node-gyp; headers from the system Node (no download).
const npmDir = dirname(dirname(require.resolve('npm/package.json', { paths: [dirname(process.execPath), '/usr/lib/node_modules', '/usr/local/lib/node_modules'] })));
const nodeGyp = [join(npmDir, 'npm/node_modules/node-gyp/bin/node-gyp.js'), join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js')].find(existsSync);
if (!nodeGyp) {
  log('node-gyp not found beside npm');
  process.exit(1);
}
log(`building hnswlib-node ${pkg.version} with ${flags.join(' ')} (needs CPU flags: ${requiredCpuFlags.join(', ') || 'none'})`);
const started = Date.now();
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release'], {
  cwd: work,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
});
if (build.status !== 0) {
  log('node-gyp failed');
  process.exit(build.status ?? 1);
}
// Replaced by rename: a process that has the old addon loaded keeps its (unlinked) file intact.
copyFileSync(join(work, 'build/Release/addon.node'), join(out, 'addon.node.tmp'));
renameSync(join(out, 'addon.node.tmp'), join(out, 'addon.node'));
rmSync(work, { recursive: true, force: true });
const manifest = {
  hnswlibVersion: pkg.version,
  nodeAbi: process.versions.modules,
  platform: `${process.platform}-${process.arch}`,
  flags,
  requiredCpuFlags,
  builtAt: new Date().toISOString(),
};
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${join(out, 'addon.node')}`);
