import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaceError } from '../face.error';
import { FACEPLUGIN_V1, YUNET_ARCFACE_V1 } from './builtin-manifests';
import { readModelFile, resolveModelSet } from './model-registry';

function faceError(fn: () => unknown): FaceError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FaceError);
    return error as FaceError;
  }
  throw new Error('expected a FaceError');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** An operator manifest: the built-in set's shape with this folder's files. */
function operatorManifest(dir: string, overrides: Record<string, unknown> = {}): string {
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify({ ...YUNET_ARCFACE_V1, id: 'operator-set', version: '7', ...overrides }));
  return path;
}

describe('resolveModelSet', () => {
  it('defaults to yunet-arcface-v1 with files in the models folder', () => {
    const m = resolveModelSet({ modelsDir: '/models' });
    expect(m.id).toBe('yunet-arcface-v1');
    expect(m.detector.file).toBe('/models/yunet_n_dynamic.onnx');
    expect(m.embedder).toMatchObject({ file: '/models/fr_feature.onnx', channelOrder: 'bgr', mean: 127, std: 128, dimension: 512 });
  });

  it('swaps to faceplugin-v1 by id: another detector, its landmark model, the same embedder', () => {
    const m = resolveModelSet({ modelsDir: '/models', modelSet: 'faceplugin-v1' });
    expect(m.detector.type).toBe('ultraface');
    expect(m.detector.type === 'ultraface' && m.detector.landmarks.file).toBe('/models/fr_landmark.onnx');
    expect(m.embedder.sha256).toBe(FACEPLUGIN_V1.embedder.sha256);
  });

  it('refuses an unknown id', () => {
    expect(faceError(() => resolveModelSet({ modelsDir: '/m', modelSet: 'nope' })).code).toBe('model_invalid');
  });

  it('loads an operator manifest, its relative files resolved from its own folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-manifest-'));
    const m = resolveModelSet({ modelsDir: '/ignored', manifestPath: operatorManifest(dir) });
    expect(m).toMatchObject({ id: 'operator-set', version: '7' });
    expect(m.embedder.file).toBe(join(dir, 'fr_feature.onnx'));
  });

  it.each([
    ['a bad channel order', { embedder: { ...YUNET_ARCFACE_V1.embedder, channelOrder: 'bgra' } }, /channelOrder/],
    ['a short template', { embedder: { ...YUNET_ARCFACE_V1.embedder, template: [[1, 2]] } }, /template/],
    ['a malformed hash', { embedder: { ...YUNET_ARCFACE_V1.embedder, sha256: 'abc' } }, /sha256/],
    ['an unknown detector', { detector: { ...YUNET_ARCFACE_V1.detector, type: 'retina' } }, /detector.type/],
  ])('refuses a manifest with %s', (_, overrides, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'face-manifest-'));
    const error = faceError(() => resolveModelSet({ modelsDir: '/m', manifestPath: operatorManifest(dir, overrides) }));
    expect(error.code).toBe('model_invalid');
    expect(error.detail).toMatch(message);
  });
});

describe('readModelFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'face-models-'));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, Buffer.from('not really a model'));

  it('returns the bytes whose hash matches', () => {
    expect(Buffer.from(readModelFile({ file, sha256: sha256(Buffer.from('not really a model')) })).toString()).toBe('not really a model');
  });

  it('refuses a file whose SHA-256 differs from the manifest (model_hash_mismatch)', () => {
    const error = faceError(() => readModelFile({ file, sha256: '0'.repeat(64) }));
    expect(error.code).toBe('model_hash_mismatch');
    expect(error.kind).toBe('internal');
    expect(error.detail).toMatch(/refusing/);
  });

  it('reports a missing file as model_missing', () => {
    expect(faceError(() => readModelFile({ file: join(dir, 'absent.onnx'), sha256: '0'.repeat(64) })).code).toBe('model_missing');
  });
});
