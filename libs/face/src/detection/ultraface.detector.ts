import type { ImageHeader } from '../image/image.decoder';
import type { ImageSource } from '../image/image-source';
import { toPlanarTensor } from '../image/planar-tensor';
import type { RgbImage } from '../image/rgb-image';
import type { UltrafaceDetectorSpec } from '../models/model-manifest';
import { type InferenceSession, Tensor, wipeOutputs } from '../models/onnx-session';
import type { DetectionTuning } from './detection-pyramid';
import { type FaceCandidate, type FaceDetector, toDisplayed } from './face-candidate';
import type { Landmark68Model } from './landmark68.model';
import { nonMaxSuppression } from './non-max-suppression';

/**
 * The faceplugin set's UltraFace-style detector: one fixed-size pass over the whole image, then the
 * 68-point model on each box for the alignment points. Weaker on small faces than YuNet.
 */
export class UltrafaceDetector implements FaceDetector {
  constructor(
    private readonly session: InferenceSession,
    private readonly spec: UltrafaceDetectorSpec,
    private readonly landmarks: Landmark68Model,
    private readonly tuning: DetectionTuning,
  ) {}

  // The landmark crops come from this image: detail enough for a 64-pixel crop of any face it finds.
  firstScale({ width, height }: ImageHeader): number {
    return Math.min(1, this.tuning.maxSide / Math.max(width, height));
  }

  async detect(source: ImageSource): Promise<FaceCandidate[]> {
    const decoded = await source.at(this.firstScale(source.header));
    const boxes = await this.boxes(decoded.image);
    const found: FaceCandidate[] = [];
    for (const box of boxes) {
      const landmarks = await this.landmarks.fivePoints(decoded.image, box.x1, box.y1, box.x2, box.y2);
      found.push(toDisplayed({ ...box, landmarks }, decoded.scaleX, decoded.scaleY));
    }
    return found;
  }

  /** Boxes in pixels of `image`, after NMS. */
  private async boxes(image: RgbImage): Promise<Omit<FaceCandidate, 'landmarks'>[]> {
    const { inputWidth, inputHeight } = this.spec;
    // Stretched to the input, aspect ratio ignored, as the model was trained (LFW: 99.40% stretched,
    // 99.23% letterboxed).
    const data = toPlanarTensor(image, inputWidth, inputHeight, this.spec, inputWidth, inputHeight);
    let outputs: InferenceSession.OnnxValueMapType | undefined;
    try {
      outputs = await this.session.run({ [this.session.inputNames[0]!]: new Tensor('float32', data, [1, 3, inputHeight, inputWidth]) });
      const scores = outputs.scores?.data as Float32Array | undefined;
      const corners = outputs.boxes?.data as Float32Array | undefined;
      if (!scores || !corners || scores.length * 2 !== corners.length) throw new Error('UltraFace outputs scores/boxes are missing');
      // Corners are relative to the input, which the whole image filled.
      const sx = image.width, sy = image.height;
      const boxes: FaceCandidate[] = [];
      for (let i = 0; i < scores.length / 2; i++) {
        const score = scores[2 * i + 1]!;
        if (score < this.tuning.scoreThreshold) continue;
        const [x1, y1, x2, y2] = [corners[4 * i]! * sx, corners[4 * i + 1]! * sy, corners[4 * i + 2]! * sx, corners[4 * i + 3]! * sy];
        boxes.push({ x1, y1, x2, y2, score, landmarks: new Float32Array(10) });
      }
      return nonMaxSuppression(boxes, this.tuning.nmsIou);
    } finally {
      data.fill(0);
      if (outputs) wipeOutputs(outputs);
    }
  }
}
