import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Hnswlib from 'hnswlib-node';
import { type CpuFeatures } from './cpu-features';

export type HnswlibModule = typeof Hnswlib;
export type HnswlibBuild = 'simd' | 'portable';
export type HnswlibPreference = 'auto' | HnswlibBuild;

/** What infra/scripts/build-hnswlib-simd.mjs writes beside the addon. */
interface SimdManifest {
  hnswlibVersion: string;
  nodeAbi: string;
  platform: string;
  flags: string[];
  requiredCpuFlags: string[];
}

export interface HnswlibChoice {
  readonly build: HnswlibBuild;
  /** What to require(): the SIMD addon's path, or the npm package. */
  readonly modulePath: string;
  /** Why this build was chosen (logged at start). */
  readonly reason: string;
  readonly flags?: readonly string[];
}

/**
 * Picks the hnswlib build: the SIMD addon in simdDir when it exists, was built for this Node ABI and
 * platform, and this CPU has every flag it was compiled for (else it would die on SIGILL); otherwise
 * npm's portable build. `preference` forces one (`simd` fails loudly when it cannot be used).
 */
export function chooseHnswlib(simdDir: string, cpu: CpuFeatures, preference: HnswlibPreference = 'auto'): HnswlibChoice {
  const portable = (reason: string): HnswlibChoice => ({ build: 'portable', modulePath: 'hnswlib-node', reason });
  if (preference === 'portable') return portable('portable build requested');
  const addon = join(simdDir, 'addon.node');
  const manifestPath = join(simdDir, 'manifest.json');
  const refuse = (reason: string): HnswlibChoice => {
    if (preference === 'simd') throw new Error(`the SIMD hnswlib build cannot be used: ${reason}`);
    return portable(reason);
  };
  if (!existsSync(addon) || !existsSync(manifestPath)) return refuse(`no SIMD build in ${simdDir} (run infra/scripts/build-hnswlib-simd.mjs)`);
  let manifest: SimdManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SimdManifest;
  } catch {
    return refuse('the SIMD build manifest is unreadable');
  }
  const installed = (JSON.parse(readFileSync(require.resolve('hnswlib-node/package.json'), 'utf8')) as { version: string }).version;
  if (manifest.hnswlibVersion !== installed) return refuse(`the SIMD build is of hnswlib-node ${manifest.hnswlibVersion}, ${installed} is installed`);
  if (manifest.nodeAbi !== process.versions.modules || manifest.platform !== `${process.platform}-${process.arch}`) {
    return refuse('the SIMD build was made for another Node ABI or platform');
  }
  const missing = manifest.requiredCpuFlags.filter((f) => !cpu.flags.has(f));
  if (missing.length > 0) return refuse(`this CPU lacks ${missing.join(', ')} that the SIMD build needs`);
  return { build: 'simd', modulePath: addon, reason: `built with ${manifest.flags.join(' ')}`, flags: manifest.flags };
}

/** Loads a build by HnswlibChoice.modulePath (in the thread that will use it: each worker loads its own). */
export function loadHnswlib(modulePath: string): HnswlibModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(modulePath) as HnswlibModule;
}
