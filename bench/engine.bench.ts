// Throughput of the face engine against the pure inference bound of its models, measured in one run.
//   npm run bench:engine [-- --lfw 400 --workers 1,2 --model-set <id> --models-dir <dir>]
// Prints one JSON object: per worker count, images/s, ms per image (p50/p95) and faces/s for LFW-size
// photos (250x250) and for the large deepface photos (long side >= 1500 px), the one-face bound of the
// models (detector + embedder, onnxruntime alone, one thread), the ratio achieved (from wall time and
// from CPU time), and peak RSS.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { BUILTIN_MODEL_SETS, DEFAULT_MODEL_SET, FaceEngine } from '@app/face';

const { values: args } = parseArgs({
  options: {
    lfw: { type: 'string', default: '400' },
    workers: { type: 'string', default: '1,2' },
    'model-set': { type: 'string', default: DEFAULT_MODEL_SET },
    'models-dir': { type: 'string', default: resolve(__dirname, '../.cache/models') },
    faces: { type: 'string', default: resolve(__dirname, '../../shared/faces') },
  },
});

const LARGE_MIN_SIDE = 1500;

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

/** Median time of one onnxruntime call, one thread: what a one-face photo costs at the least. */
async function inferenceMs(file: string, shape: number[], runs = 30): Promise<number> {
  const session = await InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const feeds = { [session.inputNames[0]!]: new Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b)).fill(0.25), shape) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await session.run(feeds);
    times.push(performance.now() - start);
  }
  await session.release();
  return percentile(times.sort((a, b) => a - b), 0.5);
}

/** The bound for a 250x250 photo with one face, per model set: the model calls the pipeline makes for it. */
async function oneFaceBound(modelSet: string, modelsDir: string) {
  const manifest = BUILTIN_MODEL_SETS.get(modelSet);
  if (!manifest) throw new Error(`the bound is known for built-in sets only, not ${modelSet}`);
  const file = (name: string) => resolve(modelsDir, name);
  const d = manifest.detector;
  // YuNet sees a 250-pixel photo padded to 256, twice (the mirror image votes on the landmarks);
  // UltraFace its fixed input, then the 68-point model once.
  const detectorMs =
    d.type === 'yunet'
      ? 2 * (await inferenceMs(file(d.file), [1, 3, 256, 256]))
      : (await inferenceMs(file(d.file), [1, 3, d.inputHeight, d.inputWidth])) + (await inferenceMs(file(d.landmarks.file), [1, 1, d.landmarks.inputSize, d.landmarks.inputSize]));
  const embedderMs = await inferenceMs(file(manifest.embedder.file), [1, 3, manifest.embedder.inputHeight, manifest.embedder.inputWidth]);
  return { detectorMs: round(detectorMs, 2), embedderMs: round(embedderMs, 2), perImageMs: round(detectorMs + embedderMs, 2), imagesPerSecPerWorker: round(1000 / (detectorMs + embedderMs)) };
}

/** Every worker kept busy with one image (no queueing, so latency is the time of one image). */
async function run(engine: FaceEngine, photos: readonly Photo[]) {
  const queue = [...photos];
  const latencies: number[] = [];
  let faces = 0;
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
  await Promise.all(Array.from({ length: engine.info.poolSize }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    imagesPerSec: round(photos.length / seconds),
    msPerImageP50: round(percentile(latencies, 0.5)),
    msPerImageP95: round(percentile(latencies, 0.95)),
    msPerImageMean: round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
    facesPerSec: round(faces / seconds),
    // Every thread of the process (workers, libvips, onnxruntime): what an image costs on a quiet machine.
    cpuMsPerImage: round((cpu.user + cpu.system) / 1000 / photos.length),
  };
}

async function main(): Promise<void> {
  const lfw = lfwPhotos(resolve(args.faces!, 'lfw-dev'), Number(args.lfw));
  const large = await largePhotos(resolve(args.faces!, 'deepface'));
  const bound = await oneFaceBound(args['model-set']!, args['models-dir']!);
  const runs = [];
  for (const workers of args.workers!.split(',').map(Number)) {
    const engine = await FaceEngine.create({ modelsDir: args['models-dir']!, modelSet: args['model-set'], poolSize: workers });
    try {
      // Warm-up: first runs of each input shape allocate.
      await run(engine, [...lfw.slice(0, 2 * workers), ...large.slice(0, 2 * workers)]);
      const lfwRun = await run(engine, lfw);
      const largeRun = await run(engine, large);
      runs.push({
        workers,
        lfw: {
          ...lfwRun,
          ratioToBound: round(lfwRun.imagesPerSec / (workers * bound.imagesPerSecPerWorker), 3),
          // The same ratio from CPU time, which a machine shared with other work disturbs far less.
          ratioToBoundCpu: round(bound.perImageMs / lfwRun.cpuMsPerImage, 3),
        },
        large: largeRun,
      });
    } finally {
      await engine.close();
    }
  }
  console.log(JSON.stringify({
    modelSet: args['model-set'],
    cpus: availableParallelism(),
    images: { lfw: lfw.length, large: large.length, largeMinSide: LARGE_MIN_SIDE },
    bound,
    runs,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
  }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
