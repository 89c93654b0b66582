// Throughput of the face engine against the pure inference bound of its models, measured in one run.
//   npm run bench:engine [-- --lfw 400 --workers 1,2 --model-set <id> --models-dir <dir> --jpeg-decoder libjpeg|sharp]
// Prints one JSON object: per worker count, images/s (with a backlog, as the indexer runs) and ms per
// image (p50/p95, one image per worker at a time) and faces/s for LFW-size
// photos (250x250) and for the large deepface photos (long side >= 1500 px), the one-face bound of the
// models (detector + embedder, onnxruntime alone, one thread), the ratio achieved (from wall time and
// from CPU time), and peak RSS. LFW photos hold ~1.08 faces that get embedded: the bound for the faces
// actually found (detector + faces per image x embedder) and the ratio to it are printed too. For the
// large photos, the decode at the detector's base scale alone (one thread; libjpeg-turbo through the
// native addon, or libvips) is their floor
// beside the models: `large.decodeMs`.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { BUILTIN_MODEL_SETS, decodeAtBaseLevel, DEFAULT_MODEL_SET, FaceEngine, type FaceEngineOptions, flushNegligibleWeights } from '@app/face';

const { values: args } = parseArgs({
  options: {
    lfw: { type: 'string', default: '400' },
    workers: { type: 'string', default: '1,2' },
    'model-set': { type: 'string', default: DEFAULT_MODEL_SET },
    // sharp: JPEG decoding as before the native addon (its pixel kernels still run), for comparison.
    'jpeg-decoder': { type: 'string', default: 'libjpeg' },
    'models-dir': { type: 'string', default: resolve(__dirname, '../.cache/models') },
    faces: { type: 'string', default: resolve(__dirname, '../../shared/faces') },
  },
});

const LARGE_MIN_SIDE = 1500;
const CHUNK = 25;

interface Photo {
  readonly name: string;
  readonly bytes: Buffer;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const round = (v: number, digits = 1) => Number(v.toFixed(digits));

function lfwPhotos(root: string, count: number): Photo[] {
  const photos: Photo[] = [];
  for (const person of readdirSync(root).sort()) {
    if (person.endsWith('.txt')) continue;
    for (const file of readdirSync(resolve(root, person)).sort()) {
      photos.push({ name: file, bytes: readFileSync(resolve(root, person, file)) });
      if (photos.length === count) return photos;
    }
  }
  return photos;
}

async function largePhotos(root: string): Promise<Photo[]> {
  const photos: Photo[] = [];
  for (const file of readdirSync(root).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort()) {
    const bytes = readFileSync(resolve(root, file));
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    if (Math.max(width, height) >= LARGE_MIN_SIDE) photos.push({ name: file, bytes });
  }
  return photos;
}

type Feeds = Record<string, Tensor>;

/**
 * The one-face bound of a model set: the onnxruntime calls the pipeline makes for a 250x250 photo, one
 * thread, nothing else. Sampled between chunks of every run, so bound and engine see the same machine
 * (a shared machine's load changes by the minute).
 */
class BoundProbe {
  private readonly samples: { detector: number; embedder: number; cpu: number }[] = [];

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
    probe.samples.length = 0;
    return probe;
  }

  async sample(): Promise<void> {
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
    this.samples.push({ detector, embedder, cpu: (cpu.user + cpu.system) / 1000 });
  }

  /** Medians over the samples taken since `from`. */
  summary(from = 0) {
    const recent = this.samples.slice(from);
    const median = (values: number[]) => percentile(values.sort((a, b) => a - b), 0.5);
    const detectorMs = median(recent.map((s) => s.detector));
    const embedderMs = median(recent.map((s) => s.embedder));
    return {
      detectorMs: round(detectorMs, 2),
      embedderMs: round(embedderMs, 2),
      perImageMs: round(detectorMs + embedderMs, 2),
      cpuMsPerImage: round(median(recent.map((s) => s.cpu)), 2),
      imagesPerSecPerWorker: round(1000 / (detectorMs + embedderMs)),
      samples: recent.length,
    };
  }

  get count(): number {
    return this.samples.length;
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

/**
 * Mean over the photos of the median time to decode each at the detector's base scale. Run while an
 * engine is up: its workers set libvips to one thread per operation, process-wide.
 */
async function baseDecodeMs(photos: readonly Photo[]): Promise<number> {
  let total = 0;
  for (const photo of photos) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await decodeAtBaseLevel(photo.bytes, undefined, args['jpeg-decoder'] as FaceEngineOptions['jpegDecoder']);
      times.push(performance.now() - t);
    }
    total += percentile(times.sort((a, b) => a - b), 0.5);
  }
  return round(total / photos.length);
}

/**
 * `lanes` callers each sending one image at a time. lanes = workers: no queueing, so latency is the time
 * of one image. lanes = 2 x workers: a backlog, as the indexer keeps (throughput; the pool hands each
 * worker its next image ahead of time).
 */
async function run(engine: FaceEngine, photos: readonly Photo[], lanes: number, probe?: BoundProbe) {
  const latencies: number[] = [];
  let faces = 0;
  let seconds = 0;
  let cpuMs = 0;
  // Chunks, with bound samples between them (the engine idle while the probe runs).
  for (let at = 0; at < photos.length; at += CHUNK) {
    for (let i = 0; i < 3; i++) await probe?.sample();
    const queue = photos.slice(at, at + CHUNK);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const lane = async () => {
      for (let photo = queue.shift(); photo; photo = queue.shift()) {
        const t = performance.now();
        const found = (await engine.analyze(photo.bytes)).faces.length;
        faces += found;
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    seconds += (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs += (cpu.user + cpu.system) / 1000;
  }
  latencies.sort((a, b) => a - b);
  return {
    imagesPerSec: round(photos.length / seconds),
    msPerImageP50: round(percentile(latencies, 0.5)),
    msPerImageP95: round(percentile(latencies, 0.95)),
    msPerImageMean: round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
    facesPerSec: round(faces / seconds),
    // Every thread of the process (workers, libvips, onnxruntime): what an image costs on a quiet machine.
    cpuMsPerImage: round(cpuMs / photos.length),
  };
}

/** Latency figures come from the run without a backlog (queueing would add to them). */
const latencyOf = ({ msPerImageP50, msPerImageP95, msPerImageMean }: Awaited<ReturnType<typeof run>>) => ({ msPerImageP50, msPerImageP95, msPerImageMean });

async function main(): Promise<void> {
  const lfw = lfwPhotos(resolve(args.faces!, 'lfw-dev'), Number(args.lfw));
  const large = await largePhotos(resolve(args.faces!, 'deepface'));
  const probe = await BoundProbe.create(args['model-set']!, args['models-dir']!, lfw[0]!.bytes);
  const runs = [];
  let pixels = '';
  for (const workers of args.workers!.split(',').map(Number)) {
    const engine = await FaceEngine.create({
      modelsDir: args['models-dir']!,
      modelSet: args['model-set'],
      poolSize: workers,
      jpegDecoder: args['jpeg-decoder'] as FaceEngineOptions['jpegDecoder'],
    });
    pixels = `${engine.info.pixels}, JPEG by ${engine.info.jpegDecoder}`;
    try {
      const decodeMs = await baseDecodeMs(large);
      // Warm-up: first runs of each input shape allocate.
      await run(engine, [...lfw.slice(0, 2 * workers), ...large.slice(0, 2 * workers)], workers);
      const from = probe.count;
      const lfwRun = await run(engine, lfw, 2 * workers, probe);
      const bound = probe.summary(from);
      const lfwLatency = await run(engine, lfw, workers);
      const largeRun = await run(engine, large, 2 * workers);
      const largeLatency = await run(engine, large, workers);
      const facesPerImage = lfwRun.facesPerSec / lfwRun.imagesPerSec;
      const foundBoundMs = bound.detectorMs + facesPerImage * bound.embedderMs;
      runs.push({
        workers,
        bound,
        lfw: {
          ...lfwRun,
          ...latencyOf(lfwLatency),
          ratioToBound: round(lfwRun.imagesPerSec / (workers * bound.imagesPerSecPerWorker), 3),
          // The same ratio from CPU time, which the machine's other work disturbs less.
          ratioToBoundCpu: round(bound.cpuMsPerImage / lfwRun.cpuMsPerImage, 3),
          facesPerImage: round(facesPerImage, 3),
          boundForFacesFoundMs: round(foundBoundMs, 2),
          ratioToFacesFoundBound: round(lfwRun.imagesPerSec / ((workers * 1000) / foundBoundMs), 3),
          ratioToFacesFoundBoundCpu: round(foundBoundMs / lfwRun.cpuMsPerImage, 3),
        },
        large: { ...largeRun, ...latencyOf(largeLatency), msPerImagePerWorker: round((1000 * workers) / largeRun.imagesPerSec), decodeMs },
      });
    } finally {
      await engine.close();
    }
  }
  console.log(JSON.stringify({
    modelSet: args['model-set'],
    cpus: availableParallelism(),
    pixels,
    images: { lfw: lfw.length, large: large.length, largeMinSide: LARGE_MIN_SIDE },
    bound: probe.summary(),
    runs,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
  }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
