import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_MIRROR_DIR } from '@app/testing';
import { ensureTestModels, INSTALLER, MODELS_DIR } from '../testing/face-models.fixture';
import { BUILTIN_MODEL_SETS } from './builtin-manifests';
import { manifestFiles } from './model-manifest';

/** The installer's pinned list, read by running it (it is plain ESM, outside this TypeScript build). */
function installerPins(): { file: string; sha256: string }[] {
  const script = `import(${JSON.stringify(INSTALLER)}).then((m) => console.log(JSON.stringify(m.MODEL_FILES)))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('infra/scripts/install-models.mjs', () => {
  it('pins the same hashes as the built-in manifests', () => {
    const pins = new Map(installerPins().map((p) => [p.file, p.sha256]));
    for (const manifest of BUILTIN_MODEL_SETS.values()) {
      for (const ref of manifestFiles(manifest)) expect(pins.get(ref.file)).toBe(ref.sha256);
    }
  });

  it('refuses a mirror file whose hash differs, with a clear message and a non-zero exit', () => {
    const mirror = mkdtempSync(join(tmpdir(), 'face-mirror-'));
    mkdirSync(join(mirror, 'yunet'));
    const good = readFileSync(join(MODELS_MIRROR_DIR, 'yunet', 'yunet_n_dynamic.onnx'));
    const tampered = Buffer.from(good);
    tampered[tampered.length - 1] ^= 0xff;
    writeFileSync(join(mirror, 'yunet', 'yunet_n_dynamic.onnx'), tampered);
    const run = spawnSync(process.execPath, [INSTALLER, '--dir', mkdtempSync(join(tmpdir(), 'face-cache-')), '--mirror', mirror], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/yunet_n_dynamic\.onnx .* has SHA-256 [0-9a-f]{64}, expected 104ee26c.*refusing it/);
  });

  it('replaces a cached file with the wrong hash and leaves good ones alone (idempotent)', () => {
    ensureTestModels();
    const cache = mkdtempSync(join(tmpdir(), 'face-cache-'));
    for (const file of ['fr_feature.onnx', 'fr_detect.onnx', 'fr_landmark.onnx', 'yunet_s_dynamic.onnx']) copyFileSync(join(MODELS_DIR, file), join(cache, file));
    writeFileSync(join(cache, 'yunet_n_dynamic.onnx'), 'stale');
    const run = spawnSync(process.execPath, [INSTALLER, '--dir', cache, '--mirror', MODELS_MIRROR_DIR], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/yunet_n_dynamic\.onnx in the cache has the wrong hash/);
    expect(run.stderr).toMatch(/installed yunet_n_dynamic\.onnx \(mirror\)/);
    expect(run.stderr).not.toMatch(/installed fr_feature/);
    expect(readFileSync(join(cache, 'yunet_n_dynamic.onnx'))).toEqual(readFileSync(join(MODELS_DIR, 'yunet_n_dynamic.onnx')));
  });
});
