import type { ImageHeader } from '../image/image.decoder';
import type { ImageSource } from '../image/image-source';

/** A detected face in pixels of the displayed image (EXIF orientation applied). */
export interface FaceCandidate {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
  /** Five (x, y) pairs in the ArcFace template's order: image-left eye first. */
  readonly landmarks: Float32Array;
}

/** Finds faces and their five alignment points: YuNet does both, UltraFace needs a landmark model. */
export interface FaceDetector {
  /** `minFaceSize`: the smallest face worth finding, in displayed pixels (it guides the pyramid). */
  detect(source: ImageSource, minFaceSize: number): Promise<FaceCandidate[]>;
  /** The scale detect() decodes the image at first: decoding it can start before detect() runs. */
  firstScale(header: ImageHeader, minFaceSize: number): number;
}

export const candidateSize = (c: FaceCandidate): number => Math.min(c.x2 - c.x1, c.y2 - c.y1);

/** Maps a candidate found in an image scaled by (scaleX, scaleY) back to displayed pixels (pixel centres kept). */
export function toDisplayed(candidate: FaceCandidate, scaleX: number, scaleY: number): FaceCandidate {
  const x = (v: number) => (v + 0.5) / scaleX - 0.5;
  const y = (v: number) => (v + 0.5) / scaleY - 0.5;
  const landmarks = new Float32Array(10);
  for (let k = 0; k < 5; k++) {
    landmarks[2 * k] = x(candidate.landmarks[2 * k]!);
    landmarks[2 * k + 1] = y(candidate.landmarks[2 * k + 1]!);
  }
  return { x1: candidate.x1 / scaleX, y1: candidate.y1 / scaleY, x2: candidate.x2 / scaleX, y2: candidate.y2 / scaleY, score: candidate.score, landmarks };
}
