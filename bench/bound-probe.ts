// The models' bound for bench:engine: onnxruntime alone, on the calls the pipeline makes for one photo.
// Run by bound-probe.worker.ts, one probe per worker thread (the engine's models run in worker threads
// too): one thread sampled alone gives the one-thread bound, N sampled together the bound of N workers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { BUILTIN_MODEL_SETS, flushNegligibleWeights } from '@app/face';
import { percentile, round } from './stats';


type Feeds = Record<string, Tensor>;

/** One sample: the pipeline's model calls for one photo, milliseconds (cpu: the process's CPU time meanwhile). */
export interface BoundSample {
  readonly detector: number;
  readonly embedder: number;
  readonly cpu: number;
}

/** Medians over samples. */
export function summarizeBound(samples: readonly BoundSample[]) {
  const median = (values: number[]) => percentile(values.sort((a, b) => a - b), 0.5);
  const detectorMs = median(samples.map((s) => s.detector));
  const embedderMs = median(samples.map((s) => s.embedder));
  return {
    detectorMs: round(detectorMs, 2),
    embedderMs: round(embedderMs, 2),
    perImageMs: round(detectorMs + embedderMs, 2),
    cpuMsPerImage: round(median(samples.map((s) => s.cpu)), 2),
    imagesPerSecPerWorker: round(1000 / (detectorMs + embedderMs), 1),
    samples: samples.length,
  };
}

/**
 * The one-face bound of a model set: the onnxruntime calls the pipeline makes for a 250x250 photo, one
 * thread, nothing else. Sampled between chunks of every run, so bound and engine see the same machine
 * (a shared machine's load changes by the minute).
 */
export class BoundProbe {

  private constructor(
    private readonly detector: { session: InferenceSession; feeds: Feeds; times: number }[],
    private readonly embedder: { session: InferenceSession; feeds: Feeds },
  ) {}

  /** `photo`: a real LFW photo; the models' cost depends on the data (a constant input runs faster). */
  static async create(modelSet: string, modelsDir: string, photo: Buffer): Promise<BoundProbe> {
    const manifest = BUILTIN_MODEL_SETS.get(modelSet);
    if (!manifest) throw new Error(`the bound is known for built-in sets only, not ${modelSet}`);
    const load = async ({ file, mean, std }: { file: string; mean: number; std: number }, shape: number[]) => {
      // The bytes the engine loads: negligible weights flushed (see flushNegligibleWeights).
      const bytes = readFileSync(resolve(modelsDir, file));
      flushNegligibleWeights(bytes);
      const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      return { session, feeds: { [session.inputNames[0]!]: new Tensor('float32', await photoTensor(photo, shape, mean, std), shape) } };
    };
    const d = manifest.detector;
    // YuNet sees a 250-pixel photo padded to 256, twice (the mirror image votes on the landmarks);
    // UltraFace its fixed input, then the 68-point model once.
    const detector =
      d.type === 'yunet'
        ? [{ ...(await load(d, [1, 3, 256, 256])), times: 2 }]
        : [{ ...(await load(d, [1, 3, d.inputHeight, d.inputWidth])), times: 1 }, { ...(await load(d.landmarks, [1, 1, d.landmarks.inputSize, d.landmarks.inputSize])), times: 1 }];
    const e = manifest.embedder;
    const probe = new BoundProbe(detector, await load(e, [1, 3, e.inputHeight, e.inputWidth]));
    for (let i = 0; i < 3; i++) await probe.sample();
    return probe;
  }

  async sample(): Promise<BoundSample> {
    const time = async (session: InferenceSession, feeds: Feeds) => {
      const start = performance.now();
      await session.run(feeds);
      return performance.now() - start;
    };
    const cpuBefore = process.cpuUsage();
    let detector = 0;
    for (const model of this.detector) {
      for (let i = 0; i < model.times; i++) detector += await time(model.session, model.feeds);
    }
    const embedder = await time(this.embedder.session, this.embedder.feeds);
    const cpu = process.cpuUsage(cpuBefore);
    return { detector, embedder, cpu: (cpu.user + cpu.system) / 1000 };
  }
}

/** The photo, resized to the input's size, as normalised planes: realistic data for a model of that shape. */
async function photoTensor(photo: Buffer, [, channels, height, width]: number[], mean: number, std: number): Promise<Float32Array> {
  const grey = channels === 1;
  let pipeline = sharp(photo).resize(width!, height!, { fit: 'fill' });
  if (grey) pipeline = pipeline.greyscale();
  const pixels = await pipeline.removeAlpha().raw().toBuffer();
  const planes = new Float32Array(channels! * width! * height!);
  const stride = grey ? 1 : 3;
  for (let i = 0; i < width! * height!; i++) {
    for (let c = 0; c < channels!; c++) planes[c * width! * height! + i] = (pixels[i * stride + c]! - mean) / std;
  }
  return planes;
}

