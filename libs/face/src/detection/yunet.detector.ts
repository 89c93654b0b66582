import type { ImageSource } from '../image/image-source';
import { toPlanarTensor } from '../image/planar-tensor';
import { resizeRgb, type RgbImage, wipe } from '../image/rgb-image';
import type { YunetDetectorSpec } from '../models/model-manifest';
import { type InferenceSession, Tensor, wipeOutputs } from '../models/onnx-session';
import { type DetectionTuning, needsFineLevel, planPyramid } from './detection-pyramid';
import { candidateSize, type FaceCandidate, type FaceDetector, toDisplayed } from './face-candidate';
import { nonMaxSuppression } from './non-max-suppression';
import { decodeYunet, type YunetOutputs } from './yunet-output.decoder';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

/** YuNet over a small image pyramid (see detection-pyramid.ts), one NMS over all levels. */
export class YunetDetector implements FaceDetector {
  constructor(
    private readonly session: InferenceSession,
    private readonly spec: YunetDetectorSpec,
    private readonly tuning: DetectionTuning,
  ) {}

  async detect(source: ImageSource, minFaceSize: number): Promise<FaceCandidate[]> {
    const { width, height } = source.header;
    const plan = planPyramid(width, height, minFaceSize, this.tuning);
    const found: FaceCandidate[] = [];
    for (const scale of plan.levels) found.push(...(await this.runLevel(source, scale, Infinity)));
    const base = plan.levels[0]!;
    if (plan.fine && needsFineLevel(found.map((c) => candidateSize(c) * base), this.tuning)) {
      found.push(...(await this.runLevel(source, plan.fine.scale, plan.fine.maxFace)));
    }
    return nonMaxSuppression(found, this.tuning.nmsIou, this.tuning.voteIou);
  }

  /** Runs one level; candidates larger than `maxFace` (level pixels) are dropped. */
  private async runLevel(source: ImageSource, scale: number, maxFace: number): Promise<FaceCandidate[]> {
    const { width, height } = source.header;
    const levelWidth = Math.max(1, Math.ceil(width * scale - 1e-9));
    const levelHeight = Math.max(1, Math.ceil(height * scale - 1e-9));
    // Decoded at this scale or finer (an earlier, finer decode is reused), then resampled exactly.
    const decoded = await source.at(scale);
    const level = await resizeRgb(decoded.image, levelWidth, levelHeight);
    try {
      const candidates = await this.infer(level);
      return candidates.filter((c) => candidateSize(c) <= maxFace).map((c) => toDisplayed(c, levelWidth / width, levelHeight / height));
    } finally {
      if (level !== decoded.image) wipe(level);
    }
  }

  private async infer(level: RgbImage): Promise<FaceCandidate[]> {
    const inputWidth = roundUp(level.width, this.spec.sizeMultiple);
    const inputHeight = roundUp(level.height, this.spec.sizeMultiple);
    const data = toPlanarTensor(level, inputWidth, inputHeight, this.spec);
    let outputs: InferenceSession.OnnxValueMapType | undefined;
    try {
      outputs = await this.session.run({ [this.session.inputNames[0]!]: new Tensor('float32', data, [1, 3, inputHeight, inputWidth]) });
      return decodeYunet(outputs as YunetOutputs, inputWidth, inputHeight, this.spec.strides, this.tuning.scoreThreshold);
    } finally {
      data.fill(0);
      if (outputs) wipeOutputs(outputs);
    }
  }
}
