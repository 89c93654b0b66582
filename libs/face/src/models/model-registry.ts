import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FaceError } from '../face.error';
import { BUILTIN_MODEL_SETS, DEFAULT_MODEL_SET } from './builtin-manifests';
import { type ModelFileRef, manifestFiles, type ModelSetManifest } from './model-manifest';
import { validateManifest } from './manifest.validator';

export interface ModelSource {
  /** Where the installer put the model files (built-in sets). */
  readonly modelsDir: string;
  /** A built-in set id; default `yunet-arcface-v1`. */
  readonly modelSet?: string;
  /** An operator's manifest (JSON); wins over `modelSet`. Its relative file paths start at its own folder. */
  readonly manifestPath?: string;
}

function withAbsoluteFiles(manifest: ModelSetManifest, baseDir: string): ModelSetManifest {
  const abs = <T extends ModelFileRef>(ref: T): T => ({ ...ref, file: isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file) });
  const detector = manifest.detector.type === 'ultraface'
    ? { ...abs(manifest.detector), landmarks: abs(manifest.detector.landmarks) }
    : abs(manifest.detector);
  return { ...manifest, detector, embedder: abs(manifest.embedder) };
}

/** The manifest to run, with every model file as an absolute path. Files are not read yet. */
export function resolveModelSet(source: ModelSource): ModelSetManifest {
  if (source.manifestPath) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(source.manifestPath, 'utf8'));
    } catch (cause) {
      throw new FaceError('model_invalid', `model manifest ${source.manifestPath} cannot be read as JSON`, { cause });
    }
    return withAbsoluteFiles(validateManifest(json, source.manifestPath), dirname(resolve(source.manifestPath)));
  }
  const id = source.modelSet ?? DEFAULT_MODEL_SET;
  const manifest = BUILTIN_MODEL_SETS.get(id);
  if (!manifest) {
    throw new FaceError('model_invalid', `unknown model set "${id}"; built in: ${[...BUILTIN_MODEL_SETS.keys()].join(', ')}, or give a manifest path`);
  }
  return withAbsoluteFiles(manifest, source.modelsDir);
}

/** Reads a model file and checks its SHA-256 against the manifest: the bytes checked are the bytes loaded. */
export function readModelFile(ref: ModelFileRef): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ref.file);
  } catch (cause) {
    throw new FaceError('model_missing', `model file ${ref.file} is missing; run \`npm run models:install\``, { cause });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== ref.sha256) {
    throw new FaceError('model_hash_mismatch', `model file ${ref.file} has SHA-256 ${actual}, the manifest pins ${ref.sha256}: refusing to load it`);
  }
  return bytes;
}

/** Checks every file of a model set (present, right hash) without keeping the bytes. */
export function verifyModelSet(manifest: ModelSetManifest): void {
  for (const ref of manifestFiles(manifest)) readModelFile(ref);
}
