import { DEFAULT_DETECTION_TUNING, type DetectionTuning } from './detection/detection-pyramid';
import { type AnalyzeOptions, QUALITY_FILTERS } from './face-analysis.types';
import { FaceError } from './face.error';
import { type DecodeLimits, DEFAULT_JPEG_DECODER, JPEG_DECODERS, type JpegDecoder } from './image/image.decoder';
import type { ModelSource } from './models/model-registry';
import type { PipelineSettings, ResolvedAnalyzeOptions } from './pipeline/face-pipeline';

/** Everything the engine needs, passed in by the app from its config (the engine reads no environment). */
export interface FaceEngineOptions extends ModelSource {
  /** Worker threads, each with its own model sessions. Default 1. */
  readonly poolSize?: number;
  /** onnxruntime threads per session inside a worker. Default 1 (one core per worker). */
  readonly threadsPerWorker?: number;
  /** API.md's limits: defaults 20 MB and 60 megapixels. */
  readonly limits?: Partial<DecodeLimits>;
  /** JPEG decoding: 'libjpeg' (default; the native addon where built, else sharp) or 'sharp' always. */
  readonly jpegDecoder?: JpegDecoder;
  /** Detector tuning; scoreThreshold defaults to the model set's own. */
  readonly detection?: Partial<DetectionTuning>;
  /** Used where analyze() is not told otherwise. */
  readonly defaults?: AnalyzeOptions;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxBytes: 20 * 1024 * 1024, maxPixels: 60_000_000 };

export const DEFAULT_ANALYZE_OPTIONS: ResolvedAnalyzeOptions = { maxFaces: 100, qualityFilter: 'medium', minFaceSize: 20 };

function invalid(detail: string): never {
  throw new FaceError('invalid_options', detail);
}

function integerIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) invalid(`${name} must be an integer in ${min}..${max}`);
  return v;
}

function numberIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) invalid(`${name} must be a number in ${min}..${max}`);
  return v;
}

function oneOf<T extends string>(name: string, value: T | undefined, fallback: T, allowed: readonly T[]): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) invalid(`${name} must be one of ${allowed.join(', ')}`);
  return v;
}

/** Fills in and checks analyze() options (a caller's bad value is a validation error, not a crash). */
export function resolveAnalyzeOptions(options: AnalyzeOptions | undefined, defaults: ResolvedAnalyzeOptions): ResolvedAnalyzeOptions {
  return {
    maxFaces: integerIn('maxFaces', options?.maxFaces, defaults.maxFaces, 1, 1000),
    qualityFilter: oneOf('qualityFilter', options?.qualityFilter, defaults.qualityFilter, QUALITY_FILTERS),
    minFaceSize: numberIn('minFaceSize', options?.minFaceSize, defaults.minFaceSize, 0, 100_000),
  };
}

export interface ResolvedEngineOptions {
  readonly poolSize: number;
  readonly pipeline: PipelineSettings;
  readonly defaults: ResolvedAnalyzeOptions;
}

export function resolveEngineOptions(options: FaceEngineOptions): ResolvedEngineOptions {
  if (!options.modelsDir && !options.manifestPath) invalid('modelsDir (or a manifestPath) is required');
  const d = options.detection ?? {};
  const t = DEFAULT_DETECTION_TUNING;
  return {
    poolSize: integerIn('poolSize', options.poolSize, 1, 1, 64),
    pipeline: {
      limits: {
        maxBytes: integerIn('limits.maxBytes', options.limits?.maxBytes, DEFAULT_LIMITS.maxBytes, 1, 2 ** 31 - 1),
        maxPixels: integerIn('limits.maxPixels', options.limits?.maxPixels, DEFAULT_LIMITS.maxPixels, 1, 1e9),
      },
      threads: integerIn('threadsPerWorker', options.threadsPerWorker, 1, 1, 64),
      jpegDecoder: oneOf('jpegDecoder', options.jpegDecoder, DEFAULT_JPEG_DECODER, JPEG_DECODERS),
      detection: {
        scoreThreshold: d.scoreThreshold === undefined ? undefined : numberIn('detection.scoreThreshold', d.scoreThreshold, 0, 0, 1),
        nmsIou: numberIn('detection.nmsIou', d.nmsIou, t.nmsIou, 0.05, 0.95),
        voteIou: numberIn('detection.voteIou', d.voteIou, t.voteIou, 0.05, 1),
        mirrorMaxPixels: integerIn('detection.mirrorMaxPixels', d.mirrorMaxPixels, t.mirrorMaxPixels, 0, 1e8),
        maxSide: integerIn('detection.maxSide', d.maxSide, t.maxSide, 64, 8192),
        minSide: integerIn('detection.minSide', d.minSide, t.minSide, 32, 8192),
        largestFace: numberIn('detection.largestFace', d.largestFace, t.largestFace, 32, 8192),
        smallestFace: numberIn('detection.smallestFace', d.smallestFace, t.smallestFace, 4, 256),
        maxUpscale: numberIn('detection.maxUpscale', d.maxUpscale, t.maxUpscale, 1, 8),
        maxLevelPixels: integerIn('detection.maxLevelPixels', d.maxLevelPixels, t.maxLevelPixels, 4096, 1e8),
      },
    },
    defaults: resolveAnalyzeOptions(options.defaults, DEFAULT_ANALYZE_OPTIONS),
  };
}
