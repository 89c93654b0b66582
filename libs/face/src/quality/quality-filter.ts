import type { QualityFilter, UnindexedReason } from '../face-analysis.types';

export interface QualityThresholds {
  /** Face box shorter side, pixels of the displayed image. */
  readonly minSize: number;
  readonly minScore: number;
  readonly minSharpness: number;
  readonly maxYaw: number;
  readonly maxPitch: number;
  /** The face must be in the frame: one cut by the image border has too little of itself to match. */
  readonly wholeFace: boolean;
}

/** What each API level means. `none` still honours the request's minFaceSize and maxFaces. */
export const QUALITY_THRESHOLDS: Readonly<Record<QualityFilter, QualityThresholds>> = {
  none: { minSize: 0, minScore: 0, minSharpness: 0, maxYaw: 90, maxPitch: 90, wholeFace: false },
  low: { minSize: 20, minScore: 0.6, minSharpness: 15, maxYaw: 65, maxPitch: 55, wholeFace: false },
  medium: { minSize: 32, minScore: 0.75, minSharpness: 35, maxYaw: 50, maxPitch: 40, wholeFace: true },
  high: { minSize: 64, minScore: 0.85, minSharpness: 80, maxYaw: 30, maxPitch: 25, wholeFace: true },
};

export interface FaceMeasures {
  readonly size: number;
  readonly score: number;
  readonly yaw: number;
  readonly pitch: number;
  /** Five landmarks inside the image and most of the box. */
  readonly inFrame: boolean;
}

/** The checks that need no pixels, cheapest first; sharpness is judged after the warp. */
export function geometricVerdict(face: FaceMeasures, t: QualityThresholds, minFaceSize: number): UnindexedReason | undefined {
  if (face.size < Math.max(t.minSize, minFaceSize)) return 'too_small';
  // A face only partly in the frame is as unreliable for matching as a doubtful detection.
  if (face.score < t.minScore || (t.wholeFace && !face.inFrame)) return 'low_confidence';
  if (Math.abs(face.yaw) > t.maxYaw || Math.abs(face.pitch) > t.maxPitch) return 'extreme_pose';
  return undefined;
}

export function sharpnessVerdict(sharpness: number, t: QualityThresholds): UnindexedReason | undefined {
  return sharpness < t.minSharpness ? 'low_sharpness' : undefined;
}
