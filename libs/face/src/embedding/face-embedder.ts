import type { AlignmentTemplate } from '../alignment/face-aligner';
import { TensorBuffer, toPlanarTensor } from '../image/planar-tensor';
import type { RgbImage } from '../image/rgb-image';
import type { EmbedderSpec } from '../models/model-manifest';
import { type InferenceSession, Tensor, wipeOutputs } from '../models/onnx-session';

/** Runs the embedding model on an aligned crop and L2-normalises the result. */
export class FaceEmbedder {
  readonly template: AlignmentTemplate;
  private readonly input = new TensorBuffer();

  constructor(
    private readonly session: InferenceSession,
    private readonly spec: EmbedderSpec,
  ) {
    this.template = { width: spec.inputWidth, height: spec.inputHeight, points: Float32Array.from(spec.template.flat()) };
  }

  get dimension(): number {
    return this.spec.dimension;
  }

  async embed(crop: RgbImage): Promise<Float32Array> {
    const { inputWidth: width, inputHeight: height } = this.spec;
    if (crop.width !== width || crop.height !== height) throw new Error(`embedder input must be ${width}x${height}`);
    const data = this.input.take(3 * width * height);
    let outputs: InferenceSession.OnnxValueMapType | undefined;
    try {
      toPlanarTensor(crop, width, height, this.spec, width, height, data);
      outputs = await this.session.run({ [this.spec.inputName]: new Tensor('float32', data, [1, 3, height, width]) });
      const raw = outputs[this.spec.outputName]?.data;
      if (!(raw instanceof Float32Array) || raw.length !== this.spec.dimension) {
        throw new Error(`embedder output ${this.spec.outputName} is not ${this.spec.dimension} floats`);
      }
      return l2Normalise(raw);
    } finally {
      this.input.giveBack(data);
      if (outputs) wipeOutputs(outputs);
    }
  }
}

export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const unit = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! * inv;
  return unit;
}

/** Cosine similarity of two L2-normalised embeddings. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error('embeddings of different dimensions');
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
