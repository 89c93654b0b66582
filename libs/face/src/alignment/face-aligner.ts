import type { RgbImage } from '../image/rgb-image';
import { warpAffine } from './affine-warp';
import { affineScale, applyAffine, estimateSimilarity, invertAffine } from './similarity-transform';

export interface AlignmentTemplate {
  readonly width: number;
  readonly height: number;
  /** Five template points, flat [x0, y0, ...], in output pixels. */
  readonly points: Float32Array;
}

/** Template pixels per source pixel for this face: above 1, the crop is upsampled. */
export function alignmentScale(landmarks: ArrayLike<number>, template: AlignmentTemplate): number {
  return affineScale(estimateSimilarity(landmarks, template.points));
}

/** Similarity-warps the face onto the template (Umeyama from the five landmarks). */
export function alignFace(source: RgbImage, landmarks: ArrayLike<number>, template: AlignmentTemplate): RgbImage {
  return warpAffine(source, invertAffine(estimateSimilarity(landmarks, template.points)), template.width, template.height);
}

/**
 * The source rectangle alignFace reads for this face (its crop's corners mapped back, pixel footprints
 * included), in the landmarks' pixels: where the crop's pixels come from.
 */
export function alignmentFootprint(landmarks: ArrayLike<number>, template: AlignmentTemplate): { x1: number; y1: number; x2: number; y2: number } {
  const toSource = invertAffine(estimateSimilarity(landmarks, template.points));
  const corners = [
    applyAffine(toSource, -0.5, -0.5),
    applyAffine(toSource, template.width - 0.5, -0.5),
    applyAffine(toSource, -0.5, template.height - 0.5),
    applyAffine(toSource, template.width - 0.5, template.height - 0.5),
  ];
  const xs = corners.map(([x]) => x), ys = corners.map(([, y]) => y);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/**
 * The same alignment at no more than the face's own resolution in `source`: upsampling looks like blur
 * to a sharpness measure, so a face smaller than the template is measured at its own size.
 */
export function alignAtOwnSize(source: RgbImage, landmarks: ArrayLike<number>, template: AlignmentTemplate): { crop: RgbImage; templateSize: boolean } {
  const upsampling = alignmentScale(landmarks, template);
  if (upsampling <= 1) return { crop: alignFace(source, landmarks, template), templateSize: true };
  const factor = 1 / upsampling;
  const scaled: AlignmentTemplate = {
    width: Math.max(8, Math.round(template.width * factor)),
    height: Math.max(8, Math.round(template.height * factor)),
    points: template.points.map((v) => v * factor),
  };
  return { crop: alignFace(source, landmarks, scaled), templateSize: false };
}
