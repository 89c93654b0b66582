import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { MODELS_MIRROR_DIR } from './test-env';

const REPO_ROOT = resolve(__dirname, '../../..');

/** Installs the face models with the real installer (mirror given explicitly) into the project's cache. */
export function installTestModels(): string {
  const dir = resolve(REPO_ROOT, '.cache/models');
  execFileSync(process.execPath, [resolve(REPO_ROOT, 'infra/scripts/install-models.mjs'), '--dir', dir, '--mirror', MODELS_MIRROR_DIR], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return dir;
}
