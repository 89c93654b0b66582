import type { RgbImage } from '../image/rgb-image';
import { warpAffine } from './affine-warp';
import { affineScale, estimateSimilarity, invertAffine } from './similarity-transform';

export interface AlignmentTemplate {
  readonly width: number;
  readonly height: number;
  /** Five template points, flat [x0, y0, ...], in output pixels. */
  readonly points: Float32Array;
}

export interface AlignedFace {
  /** The crop the embedder sees. */
  readonly crop: RgbImage;
  /** The same alignment at no more than the face's own resolution: what sharpness is measured on. */
  readonly nativeCrop: RgbImage;
}

/** Template pixels per source pixel for this face: above 1, the crop is upsampled. */
export function alignmentScale(landmarks: ArrayLike<number>, template: AlignmentTemplate): number {
  return affineScale(estimateSimilarity(landmarks, template.points));
}

/** Similarity-warps the face onto the template (Umeyama from the five landmarks). */
export function alignFace(source: RgbImage, landmarks: ArrayLike<number>, template: AlignmentTemplate): AlignedFace {
  const toTemplate = estimateSimilarity(landmarks, template.points);
  const crop = warpAffine(source, invertAffine(toTemplate), template.width, template.height);
  const upsampling = affineScale(toTemplate);
  if (upsampling <= 1) return { crop, nativeCrop: crop };
  // Upsampling looks like blur to a sharpness measure: measure the face at its own size instead.
  const factor = 1 / upsampling;
  const width = Math.max(8, Math.round(template.width * factor));
  const height = Math.max(8, Math.round(template.height * factor));
  const toNative = estimateSimilarity(landmarks, template.points.map((v) => v * factor));
  return { crop, nativeCrop: warpAffine(source, invertAffine(toNative), width, height) };
}
