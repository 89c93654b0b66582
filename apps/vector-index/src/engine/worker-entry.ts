import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface WorkerEntry {
  /** A file to run, or (eval) a CommonJS bootstrap. */
  readonly script: string;
  readonly eval: boolean;
}

// Only for running from TypeScript sources (tests, bench): the repository's require hook.
const TS_REGISTER = resolve(__dirname, '../../../../infra/scripts/swc-register.cjs');

/**
 * The worker's script beside this file: the compiled index.worker.js in dist/, or index.worker.ts from
 * the sources through the swc require hook (a worker thread does not inherit jest's transform).
 */
export function resolveWorkerEntry(dir = __dirname): WorkerEntry {
  const js = resolve(dir, 'index.worker.js');
  if (existsSync(js)) return { script: js, eval: false };
  const ts = resolve(dir, 'index.worker.ts');
  if (!existsSync(ts) || !existsSync(TS_REGISTER)) throw new Error(`vector-index worker script not found in ${dir}`);
  return { script: `require(${JSON.stringify(TS_REGISTER)});\nrequire(${JSON.stringify(ts)});`, eval: true };
}
