import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FACES_DIR, MODELS_MIRROR_DIR } from '@app/testing';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const INSTALLER = resolve(REPO_ROOT, 'infra/scripts/install-models.mjs');
export const MODELS_DIR = resolve(REPO_ROOT, '.cache/models');

/** Tests on real photos skip, saying why, where ../shared/faces is absent (it is never copied in). */
export const PHOTOS_PRESENT = existsSync(resolve(FACES_DIR, 'deepface')) && existsSync(resolve(FACES_DIR, 'lfw-dev'));
export const describeWithPhotos = PHOTOS_PRESENT ? describe : describe.skip;
if (!PHOTOS_PRESENT) console.warn(`face photo tests skipped: ${FACES_DIR} is absent`);

export const deepface = (file: string): string => resolve(FACES_DIR, 'deepface', file);
export const lfw = (path: string): string => resolve(FACES_DIR, 'lfw-dev', path);

/**
 * Installs the models as a fresh clone would (the real installer, mirror passed explicitly), into the
 * project's git-ignored cache; a no-op when they are already there with the right hashes.
 */
export function ensureTestModels(): string {
  execFileSync(process.execPath, [INSTALLER, '--dir', MODELS_DIR, '--mirror', MODELS_MIRROR_DIR], { stdio: ['ignore', 'ignore', 'pipe'] });
  return MODELS_DIR;
}
