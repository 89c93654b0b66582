import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FaceError } from '../face.error';

export interface WorkerEntry {
  /** A file to run, or (eval) a CommonJS bootstrap. */
  readonly script: string;
  readonly eval: boolean;
}

// Only for running from TypeScript sources (tests, bench): the repository's require hook.
const TS_REGISTER = resolve(__dirname, '../../../../infra/scripts/swc-register.cjs');

/**
 * The worker's script beside this file: the compiled face.worker.js in dist/, or face.worker.ts from
 * the sources, loaded through the swc require hook (a worker thread does not inherit jest's transform).
 */
export function resolveWorkerEntry(dir = __dirname): WorkerEntry {
  const js = resolve(dir, 'face.worker.js');
  if (existsSync(js)) return { script: js, eval: false };
  const ts = resolve(dir, 'face.worker.ts');
  if (!existsSync(ts)) throw new FaceError('engine_unavailable', `face worker script not found in ${dir}`);
  if (!existsSync(TS_REGISTER)) {
    throw new FaceError('engine_unavailable', `running face workers from TypeScript needs ${TS_REGISTER}; build the project instead`);
  }
  return { script: `require(${JSON.stringify(TS_REGISTER)});\nrequire(${JSON.stringify(ts)});`, eval: true };
}
