import { warpAffine } from '../alignment/affine-warp';
import type { RgbImage } from '../image/rgb-image';
import type { Landmark68Spec } from '../models/model-manifest';
import { type InferenceSession, Tensor, wipeOutputs } from '../models/onnx-session';

// 0-based points of the 68-point scheme averaged into the five ArcFace points (MODELS.md "Alignment").
const FIVE_FROM_68: readonly (readonly number[])[] = [
  [37, 38, 40, 41],
  [43, 44, 46, 47],
  [30],
  [48, 60],
  [54, 64],
];

/** 68-point landmarks from a grey crop of the face box, reduced to the five alignment points. */
export class Landmark68Model {
  constructor(
    private readonly session: InferenceSession,
    private readonly spec: Landmark68Spec,
  ) {}

  async fivePoints(image: RgbImage, x1: number, y1: number, x2: number, y2: number): Promise<Float32Array> {
    const size = this.spec.inputSize;
    // The box, clipped to the image, stretched onto size x size (as the model was trained).
    const left = Math.max(0, x1), top = Math.max(0, y1);
    const width = Math.max(1, Math.min(image.width - 1, x2) - left);
    const height = Math.max(1, Math.min(image.height - 1, y2) - top);
    const crop = warpAffine(image, [width / size, 0, left, 0, height / size, top], size, size);
    const input = new Float32Array(size * size);
    for (let i = 0, p = 0; i < input.length; i++, p += 3) {
      const grey = 0.299 * crop.data[p]! + 0.587 * crop.data[p + 1]! + 0.114 * crop.data[p + 2]!;
      input[i] = (grey - this.spec.mean) / this.spec.std;
    }
    crop.data.fill(0);
    let outputs: InferenceSession.OnnxValueMapType | undefined;
    try {
      outputs = await this.session.run({ [this.session.inputNames[0]!]: new Tensor('float32', input, [1, 1, size, size]) });
      const points = outputs[this.session.outputNames[0]!]?.data;
      if (!(points instanceof Float32Array) || points.length !== 136) throw new Error('landmark model output is not 68 points');
      const five = new Float32Array(10);
      FIVE_FROM_68.forEach((indices, k) => {
        for (const i of indices) {
          five[2 * k] += (points[2 * i]! * width + left) / indices.length;
          five[2 * k + 1] += (points[2 * i + 1]! * height + top) / indices.length;
        }
      });
      return five;
    } finally {
      input.fill(0);
      if (outputs) wipeOutputs(outputs);
    }
  }
}
