/**
 * A model set: everything the engine needs to know about its model files, so swapping models is a
 * manifest change, not a code change. Pixel values are fed as (p - mean) / std in `channelOrder`.
 */
export interface ModelFileRef {
  /** File name in the models folder, or a path relative to an operator manifest's own folder. */
  readonly file: string;
  readonly sha256: string;
}

export interface PixelNormalisation {
  readonly channelOrder: 'rgb' | 'bgr';
  readonly mean: number;
  readonly std: number;
}

/** YuNet: anchor-free, any input size (multiple of `sizeMultiple`), outputs cls/obj/bbox/kps per stride. */
interface DetectorDefaults {
  /** Candidates scoring under this are not faces (scores are not comparable across detectors). */
  readonly scoreThreshold: number;
}

export interface YunetDetectorSpec extends ModelFileRef, PixelNormalisation, DetectorDefaults {
  readonly type: 'yunet';
  readonly strides: readonly number[];
  readonly sizeMultiple: number;
}

/** The 68-point model of the faceplugin set: grey crop of the face box, points relative to the box. */
export interface Landmark68Spec extends ModelFileRef {
  readonly type: 'landmark68';
  readonly inputSize: number;
  readonly mean: number;
  readonly std: number;
}

/** UltraFace-style: fixed input size, decoded corner boxes (0..1) and (background, face) scores. */
export interface UltrafaceDetectorSpec extends ModelFileRef, PixelNormalisation, DetectorDefaults {
  readonly type: 'ultraface';
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly landmarks: Landmark68Spec;
}

export type DetectorSpec = YunetDetectorSpec | UltrafaceDetectorSpec;

export interface EmbedderSpec extends ModelFileRef, PixelNormalisation {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly dimension: number;
  /** Where the five landmarks go in the embedder's input, in its pixels (ArcFace: 112x112). */
  readonly template: readonly (readonly [number, number])[];
  readonly inputName: string;
  readonly outputName: string;
}

export interface ModelSetManifest {
  readonly id: string;
  readonly version: string;
  readonly detector: DetectorSpec;
  readonly embedder: EmbedderSpec;
}

/** Every model file of a manifest, the detector's helpers included. */
export function manifestFiles(manifest: ModelSetManifest): ModelFileRef[] {
  const files: ModelFileRef[] = [manifest.detector, manifest.embedder];
  if (manifest.detector.type === 'ultraface') files.push(manifest.detector.landmarks);
  return files;
}
