import type { EmbedderSpec, ModelSetManifest } from './model-manifest';

/** ArcFace 112x112 five-point template (MODELS.md "Alignment"): image-left eye first. */
export const ARCFACE_TEMPLATE_112: readonly (readonly [number, number])[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

// Hashes as MODELS.md pins them; infra/scripts/install-models.mjs pins the same (a spec checks it).
const FR_FEATURE: EmbedderSpec = {
  file: 'fr_feature.onnx',
  sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
  inputWidth: 112,
  inputHeight: 112,
  // BGR matters: 99.43% against ~99.0% with RGB on lfw-dev (MODELS.md).
  channelOrder: 'bgr',
  mean: 127,
  std: 128,
  dimension: 512,
  template: ARCFACE_TEMPLATE_112,
  inputName: 'input',
  outputName: 'output',
};

export const YUNET_ARCFACE_V1: ModelSetManifest = {
  id: 'yunet-arcface-v1',
  version: '1.0.0',
  detector: {
    type: 'yunet',
    file: 'yunet_n_dynamic.onnx',
    sha256: '104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12',
    channelOrder: 'bgr',
    mean: 0,
    std: 1,
    scoreThreshold: 0.5,
    strides: [8, 16, 32],
    sizeMultiple: 32,
  },
  embedder: FR_FEATURE,
};

export const FACEPLUGIN_V1: ModelSetManifest = {
  id: 'faceplugin-v1',
  version: '1.0.0',
  detector: {
    type: 'ultraface',
    file: 'fr_detect.onnx',
    sha256: '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854',
    channelOrder: 'rgb',
    mean: 127,
    std: 128,
    scoreThreshold: 0.7,
    inputWidth: 320,
    inputHeight: 240,
    landmarks: {
      type: 'landmark68',
      file: 'fr_landmark.onnx',
      sha256: 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
      inputSize: 64,
      mean: 0,
      std: 256,
    },
  },
  embedder: FR_FEATURE,
};

export const DEFAULT_MODEL_SET = YUNET_ARCFACE_V1.id;

export const BUILTIN_MODEL_SETS: ReadonlyMap<string, ModelSetManifest> = new Map(
  [YUNET_ARCFACE_V1, FACEPLUGIN_V1].map((manifest) => [manifest.id, manifest]),
);
