import { FaceError } from '../face.error';
import type { DetectorSpec, EmbedderSpec, Landmark68Spec, ModelSetManifest, PixelNormalisation } from './model-manifest';

type Json = Record<string, unknown>;

/** Reads an operator's manifest strictly: a typo must fail at start-up, not produce bad embeddings. */
class ManifestReader {
  constructor(private readonly source: string) {}

  fail(path: string, expected: string): never {
    throw new FaceError('model_invalid', `model manifest ${this.source}: ${path} must be ${expected}`);
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object');
    return value as Json;
  }

  string(obj: Json, key: string, path: string, pattern?: RegExp): string {
    const value = obj[key];
    if (typeof value !== 'string' || value.length === 0 || (pattern && !pattern.test(value))) {
      this.fail(`${path}.${key}`, pattern ? `a string matching ${pattern}` : 'a non-empty string');
    }
    return value;
  }

  number(obj: Json, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER, integer = false): number {
    const value = obj[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.fail(`${path}.${key}`, `${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
    }
    return value;
  }

  file(obj: Json, path: string): { file: string; sha256: string } {
    return { file: this.string(obj, 'file', path), sha256: this.string(obj, 'sha256', path, /^[0-9a-f]{64}$/) };
  }

  normalisation(obj: Json, path: string): PixelNormalisation {
    const channelOrder = obj.channelOrder;
    if (channelOrder !== 'rgb' && channelOrder !== 'bgr') this.fail(`${path}.channelOrder`, '"rgb" or "bgr"');
    return { channelOrder, mean: this.number(obj, 'mean', path, -1e4, 1e4), std: this.number(obj, 'std', path, 1e-6, 1e6) };
  }
}

function readLandmarks(r: ManifestReader, value: unknown, path: string): Landmark68Spec {
  const obj = r.object(value, path);
  if (obj.type !== 'landmark68') r.fail(`${path}.type`, '"landmark68"');
  return {
    type: 'landmark68',
    ...r.file(obj, path),
    inputSize: r.number(obj, 'inputSize', path, 8, 1024, true),
    mean: r.number(obj, 'mean', path, -1e4, 1e4),
    std: r.number(obj, 'std', path, 1e-6, 1e6),
  };
}

function readDetector(r: ManifestReader, value: unknown): DetectorSpec {
  const path = 'detector';
  const obj = r.object(value, path);
  if (obj.type === 'yunet') {
    const strides = obj.strides;
    if (!Array.isArray(strides) || strides.length === 0 || !strides.every((s) => Number.isInteger(s) && s > 0)) {
      r.fail(`${path}.strides`, 'a list of positive integers');
    }
    return {
      type: 'yunet',
      ...r.file(obj, path),
      ...r.normalisation(obj, path),
      scoreThreshold: r.number(obj, 'scoreThreshold', path, 0, 1),
      strides: strides as number[],
      sizeMultiple: r.number(obj, 'sizeMultiple', path, 1, 1024, true),
    };
  }
  if (obj.type === 'ultraface') {
    return {
      type: 'ultraface',
      ...r.file(obj, path),
      ...r.normalisation(obj, path),
      scoreThreshold: r.number(obj, 'scoreThreshold', path, 0, 1),
      inputWidth: r.number(obj, 'inputWidth', path, 16, 4096, true),
      inputHeight: r.number(obj, 'inputHeight', path, 16, 4096, true),
      landmarks: readLandmarks(r, obj.landmarks, `${path}.landmarks`),
    };
  }
  return r.fail(`${path}.type`, '"yunet" or "ultraface"');
}

function readEmbedder(r: ManifestReader, value: unknown): EmbedderSpec {
  const path = 'embedder';
  const obj = r.object(value, path);
  const template = obj.template;
  const isPoint = (p: unknown): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!Array.isArray(template) || template.length !== 5 || !template.every(isPoint)) {
    r.fail(`${path}.template`, 'five [x, y] points (eyes, nose tip, mouth corners; image-left first)');
  }
  return {
    ...r.file(obj, path),
    ...r.normalisation(obj, path),
    inputWidth: r.number(obj, 'inputWidth', path, 16, 1024, true),
    inputHeight: r.number(obj, 'inputHeight', path, 16, 1024, true),
    dimension: r.number(obj, 'dimension', path, 2, 65536, true),
    template: template as [number, number][],
    inputName: r.string(obj, 'inputName', path),
    outputName: r.string(obj, 'outputName', path),
  };
}

export function validateManifest(value: unknown, source: string): ModelSetManifest {
  const r = new ManifestReader(source);
  const obj = r.object(value, '(root)');
  return {
    id: r.string(obj, 'id', '(root)', /^[a-z0-9][a-z0-9._-]{0,63}$/),
    version: r.string(obj, 'version', '(root)', /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/),
    detector: readDetector(r, obj.detector),
    embedder: readEmbedder(r, obj.embedder),
  };
}
