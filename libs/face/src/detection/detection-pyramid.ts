export interface DetectionTuning {
  /** Candidates under this detector score are not faces. */
  readonly scoreThreshold: number;
  readonly nmsIou: number;
  /** Candidates overlapping a kept face this much lend it their landmarks (score-weighted mean). */
  readonly voteIou: number;
  /**
   * The base level also runs on its mirror image when it has at most this many pixels (0: never): the
   * mirrored landmarks join the vote and steady the alignment of faces a few dozen pixels wide
   * (LFW: 99.37% without, 99.50% with). Large photos skip it: their faces are large at the base level.
   */
  readonly mirrorMaxPixels: number;
  /** Longest side of the base level: larger photos are halved until they fit (see planPyramid). */
  readonly maxSide: number;
  /** Smaller images are upscaled to this long side (up to maxUpscale). */
  readonly minSide: number;
  /** Largest face (detector pixels) the model finds reliably: coarser levels until the short side fits. */
  readonly largestFace: number;
  /** Smallest face (detector pixels) it finds reliably: a finer level brings the minimum face size there. */
  readonly smallestFace: number;
  /** Bounds of the finer level: upscale factor for small images, pixel count for large ones. */
  readonly maxUpscale: number;
  readonly maxLevelPixels: number;
}

export const DEFAULT_DETECTION_TUNING: Omit<DetectionTuning, 'scoreThreshold'> = {
  nmsIou: 0.3,
  voteIou: 0.5,
  mirrorMaxPixels: 120_000,
  maxSide: 640,
  minSide: 160,
  largestFace: 300,
  smallestFace: 12,
  maxUpscale: 2,
  maxLevelPixels: 1_500_000,
};

export type PyramidTuning = Pick<DetectionTuning, 'maxSide' | 'minSide' | 'largestFace' | 'smallestFace' | 'maxUpscale' | 'maxLevelPixels'>;

export interface PyramidPlan {
  /** Levels always run (scales relative to the image): the base and its halvings. */
  readonly levels: readonly number[];
  /**
   * A finer level for faces too small for the base, worth its cost only where the base level saw
   * small faces or none (a group photo, a crowd); `maxFace` (its pixels) keeps it to those faces.
   */
  readonly fine?: { readonly scale: number; readonly maxFace: number };
}

/**
 * A base level that fits `maxSide`, halvings while a face as large as the short side could exceed
 * `largestFace`, and a finer level when the smallest face worth finding would be under `smallestFace`
 * at the base level. The base is a power-of-two fraction of the image: JPEG decodes straight to it
 * (shrink-on-load), far cheaper than decoding larger and resampling.
 */
export function planPyramid(width: number, height: number, minFaceSize: number, t: PyramidTuning): PyramidPlan {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const base = long < t.minSide ? Math.min(t.maxUpscale, t.minSide / long) : Math.min(1, 2 ** -Math.ceil(Math.log2(long / t.maxSide)));
  const levels = [base];
  // A quarter over `largestFace` is still found well: no extra level for a face filling a 320-pixel image.
  for (let s = base; short * s > 1.25 * t.largestFace && (short * s) / 2 >= 64; ) {
    s /= 2;
    levels.push(s);
  }
  const fine = Math.min(t.maxUpscale, t.smallestFace / Math.max(1, minFaceSize), Math.sqrt(t.maxLevelPixels / (width * height)));
  // A level barely finer than the base finds nothing new.
  if (fine <= base * 1.25) return { levels };
  return { levels, fine: { scale: fine, maxFace: (2 * t.smallestFace * fine) / base } };
}

/** Whether the base level's finds suggest smaller faces it could not see. */
export function needsFineLevel(foundSizesAtBase: readonly number[], t: Pick<DetectionTuning, 'smallestFace'>): boolean {
  return foundSizesAtBase.length === 0 || Math.min(...foundSizesAtBase) < 3 * t.smallestFace;
}
