export { FaceEngine, type FaceEngineInfo } from './face-engine';
export { DEFAULT_ANALYZE_OPTIONS, DEFAULT_LIMITS, type FaceEngineOptions } from './face-engine.options';
export * from './face-analysis.types';
export { FACE_ERROR_CODES, FaceError, type FaceErrorCode } from './face.error';
export { requireLargestFace } from './face-selection';
export { cosineSimilarity } from './embedding/face-embedder';
export type { ImageFormat } from './image/image-format.sniffer';
export type { ModelSetManifest } from './models/model-manifest';
export { BUILTIN_MODEL_SETS, DEFAULT_MODEL_SET } from './models/builtin-manifests';
// Evaluation helpers (the eval CLI and tests measure the production path with them).
export { type ImagePair, parseLfwPairs } from './evaluation/lfw-pairs.parser';
export { crossValidatedAccuracy, type ScoredPair, type VerificationResult } from './evaluation/verification-accuracy';
export { flushNegligibleWeights } from './models/flush-negligible-weights';
export { decodeAtBaseLevel } from './evaluation/base-level-decode';
