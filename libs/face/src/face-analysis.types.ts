import type { ImageFormat } from './image/image-format.sniffer';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** API.md's bounding box: relative to the displayed (EXIF-oriented) image, 0..1. */
export interface RelativeBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The same box in pixels of the displayed image. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface FaceQuality {
  /** Shorter side of the face box, in pixels of the displayed image. */
  readonly size: number;
  /** Detector confidence, 0..1. */
  readonly score: number;
  /** Variance of the Laplacian of the aligned grey crop: low means blurred. */
  readonly sharpness: number;
  /** Pose estimate from the five landmarks, degrees (rough: for filtering, not measurement). */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

export type QualityFilter = 'none' | 'low' | 'medium' | 'high';
export const QUALITY_FILTERS: readonly QualityFilter[] = ['none', 'low', 'medium', 'high'];

export type UnindexedReason = 'too_small' | 'low_confidence' | 'low_sharpness' | 'extreme_pose' | 'exceeds_max_faces';

export interface AnalyzedFace {
  readonly box: RelativeBox;
  readonly boxPx: PixelBox;
  /** Image-left eye, image-right eye, nose tip, image-left and image-right mouth corners, in pixels. */
  readonly landmarks: readonly Point[];
  readonly score: number;
  readonly quality: FaceQuality;
  /** L2-normalised embedding of the model set's dimension: cosine similarity is a dot product. */
  readonly embedding: Float32Array;
}

export interface UnindexedFace {
  readonly reason: UnindexedReason;
  readonly box: RelativeBox;
  readonly boxPx: PixelBox;
  readonly score: number;
}

export interface ModelSetRef {
  readonly id: string;
  readonly version: string;
}

export interface FaceAnalysis {
  /** SHA-256 (hex) of the input bytes: the only trace of the image the engine hands out. */
  readonly contentSha256: string;
  readonly format: ImageFormat;
  /** Size of the image as displayed (after EXIF orientation). */
  readonly width: number;
  readonly height: number;
  /** Which models made the embeddings: a change of model set means re-indexing. */
  readonly modelSet: ModelSetRef;
  /** Indexed faces, largest first. */
  readonly faces: readonly AnalyzedFace[];
  /** Faces found but left out, with API.md's reason. */
  readonly unindexed: readonly UnindexedFace[];
}

export interface AnalyzeOptions {
  /** At most this many faces are embedded (largest first); the rest are `exceeds_max_faces`. */
  readonly maxFaces?: number;
  readonly qualityFilter?: QualityFilter;
  /** Faces whose box is shorter than this (pixels of the displayed image) are `too_small`. */
  readonly minFaceSize?: number;
}
