import type { ImageHeader } from '../image/image.decoder';
import type { ImageSource } from '../image/image-source';
import { mirrorPlanar, TensorBuffer, toPlanarTensor } from '../image/planar-tensor';
import type { RgbImage } from '../image/rgb-image';
import type { YunetDetectorSpec } from '../models/model-manifest';
import { type InferenceSession, Tensor, wipeOutputs } from '../models/onnx-session';
import { type DetectionTuning, needsFineLevel, planPyramid } from './detection-pyramid';
import { candidateSize, type FaceCandidate, type FaceDetector, toDisplayed } from './face-candidate';
import { nonMaxSuppression } from './non-max-suppression';
import { decodeYunet, type YunetOutputs } from './yunet-output.decoder';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

/** YuNet over a small image pyramid (see detection-pyramid.ts), one NMS over all levels. */
export class YunetDetector implements FaceDetector {
  private readonly input = new TensorBuffer();

  constructor(
    private readonly session: InferenceSession,
    private readonly spec: YunetDetectorSpec,
    private readonly tuning: DetectionTuning,
  ) {}

  firstScale({ width, height }: ImageHeader, minFaceSize: number): number {
    return planPyramid(width, height, minFaceSize, this.tuning).levels[0]!;
  }

  async detect(source: ImageSource, minFaceSize: number): Promise<FaceCandidate[]> {
    const { width, height } = source.header;
    const plan = planPyramid(width, height, minFaceSize, this.tuning);
    const found: FaceCandidate[] = [];
    const mirrorBase = width * height * plan.levels[0]! ** 2 <= this.tuning.mirrorMaxPixels;
    for (const [i, scale] of plan.levels.entries()) found.push(...(await this.runLevel(source, scale, Infinity, i === 0 && mirrorBase)));
    const base = plan.levels[0]!;
    if (plan.fine && needsFineLevel(found.map((c) => candidateSize(c) * base), this.tuning)) {
      found.push(...(await this.runLevel(source, plan.fine.scale, plan.fine.maxFace, false)));
    }
    return nonMaxSuppression(found, this.tuning.nmsIou, this.tuning.voteIou);
  }

  /** Runs one level (and its mirror image); candidates larger than `maxFace` (level pixels) are dropped. */
  private async runLevel(source: ImageSource, scale: number, maxFace: number, mirror: boolean): Promise<FaceCandidate[]> {
    const { width, height } = source.header;
    const levelWidth = Math.max(1, Math.ceil(width * scale - 1e-9));
    const levelHeight = Math.max(1, Math.ceil(height * scale - 1e-9));
    // Decoded at this scale or finer (an earlier, finer decode is reused), resampled into the tensor.
    const decoded = await source.at(scale);
    const candidates = await this.infer(decoded.image, levelWidth, levelHeight, mirror);
    return candidates.filter((c) => candidateSize(c) <= maxFace).map((c) => toDisplayed(c, levelWidth / width, levelHeight / height));
  }

  private async infer(image: RgbImage, levelWidth: number, levelHeight: number, mirror: boolean): Promise<FaceCandidate[]> {
    const inputWidth = roundUp(levelWidth, this.spec.sizeMultiple);
    const inputHeight = roundUp(levelHeight, this.spec.sizeMultiple);
    const data = this.input.take(3 * inputWidth * inputHeight);
    try {
      toPlanarTensor(image, inputWidth, inputHeight, this.spec, levelWidth, levelHeight, data);
      const found = await this.run(data, inputWidth, inputHeight);
      // The mirror image's landmarks are a second, independent estimate: voting averages the two.
      if (mirror) {
        mirrorPlanar(data, inputWidth, levelWidth, levelHeight);
        found.push(...(await this.run(data, inputWidth, inputHeight)).map((c) => unmirror(c, levelWidth)));
      }
      return found;
    } finally {
      this.input.giveBack(data);
    }
  }

  private async run(data: Float32Array, inputWidth: number, inputHeight: number): Promise<FaceCandidate[]> {
    let outputs: InferenceSession.OnnxValueMapType | undefined;
    try {
      outputs = await this.session.run({ [this.session.inputNames[0]!]: new Tensor('float32', data, [1, 3, inputHeight, inputWidth]) });
      return decodeYunet(outputs as YunetOutputs, inputWidth, inputHeight, this.spec.strides, this.tuning.scoreThreshold);
    } finally {
      if (outputs) wipeOutputs(outputs);
    }
  }
}

/** A detection in the mirrored image, back in the original: x flipped, left and right points swapped. */
function unmirror(c: FaceCandidate, width: number): FaceCandidate {
  const x = (v: number) => width - 1 - v;
  const l = c.landmarks;
  // Mirrored order [le, re, nose, lm, rm] holds the original's [re, le, nose, rm, lm].
  const landmarks = Float32Array.from([x(l[2]!), l[3]!, x(l[0]!), l[1]!, x(l[4]!), l[5]!, x(l[8]!), l[9]!, x(l[6]!), l[7]!]);
  return { x1: x(c.x2), y1: c.y1, x2: x(c.x1), y2: c.y2, score: c.score, landmarks };
}
