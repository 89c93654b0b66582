// Throughput of the face engine against the pure inference bound of its models, measured in one run.
//   npm run bench:engine [-- --lfw 400 --workers 1,2 --model-set <id> --models-dir <dir> --jpeg-decoder libjpeg|sharp]
// Prints one JSON object: per worker count, images/s (with a backlog, as the indexer runs) and ms per
// image (p50/p95, one image per worker at a time) and faces/s for LFW-size photos (250x250) and for the
// large deepface photos (long side >= 1500 px), the one-face bound of the models (detector + embedder,
// onnxruntime alone, one worker thread, sampled alone), the ratio achieved (from wall time and from CPU time), and peak RSS.
// LFW photos hold ~1.09 faces that get embedded: the bound for the faces actually found (detector +
// faces per image x embedder) and the ratio to it are printed too. concurrentBound: the same probe run
// on `workers` threads at once (the models alone, sharing the machine as the workers do) and the ratio
// to it. For the large photos, the decode at the detector's base scale alone (one thread; libjpeg-turbo
// through the native addon, or libvips) is their floor beside the models: `large.decodeMs`.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeAtBaseLevel, DEFAULT_MODEL_SET, FaceEngine, type FaceEngineOptions } from '@app/face';
import { type BoundSample, summarizeBound } from './bound-probe';
import { percentile, round } from './stats';
import type { ProbeWorkerInit } from './bound-probe.worker';

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
// Images timed between two bound samplings. Each chunk ends with the pool draining (its last images run
// with workers idle beside them): 25-image chunks cost 2 workers ~4% of their throughput that an indexer
// with a backlog never loses, 100-image chunks ~1%.
const CHUNK = 100;
const JPEG_DECODER = args['jpeg-decoder'] as FaceEngineOptions['jpegDecoder'];
const PROBES_PER_CHUNK = 6;

interface Photo {
  readonly name: string;
  readonly bytes: Buffer;
}


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

/**
 * The models' bounds, measured in worker threads as the engine's models run: `one()` samples the first
 * thread alone (the one-thread bound); `all()` samples every thread at once, so they share the cores,
 * caches and memory bandwidth as the engine's workers do (the bound of N workers on this machine: two
 * models side by side each run slower than one alone).
 */
class ProbeThreads {
  readonly single: BoundSample[] = [];
  private readonly concurrent: number[] = [];

  private constructor(private readonly threads: Worker[]) {}

  static async start(workers: number, init: ProbeWorkerInit): Promise<ProbeThreads> {
    const register = resolve(__dirname, '../infra/scripts/swc-register.cjs');
    const script = `require(${JSON.stringify(register)});\nrequire(${JSON.stringify(resolve(__dirname, 'bound-probe.worker.ts'))});`;
    const threads = Array.from({ length: workers }, () => new Worker(script, { eval: true, workerData: init }));
    await Promise.all(threads.map((t) => answer(t)));
    return new ProbeThreads(threads);
  }

  async one(): Promise<void> {
    this.single.push(await sampleOf(this.threads[0]!, 1));
  }

  /** Every thread at once; records their mean per-image time. */
  async all(): Promise<void> {
    const samples = await Promise.all(this.threads.map((t) => sampleOf(t, 3)));
    this.concurrent.push(samples.reduce((sum, s) => sum + s.detector + s.embedder, 0) / samples.length);
  }

  concurrentSummary() {
    const perImageMs = percentile([...this.concurrent].sort((a, b) => a - b), 0.5);
    return { perImageMsPerWorker: round(perImageMs, 2), imagesPerSec: round((1000 * this.threads.length) / perImageMs, 1), samples: this.concurrent.length };
  }

  close(): Promise<number[]> {
    return Promise.all(this.threads.map((t) => t.terminate()));
  }
}

type ProbeAnswer = { ready: true } | { sample: BoundSample } | { error: string };

/** The thread's next answer (after sending `rounds`, if given); a rejection if it reports an error, fails or exits. */
function answer(thread: Worker, rounds?: number): Promise<ProbeAnswer> {
  return new Promise((done, fail) => {
    const settle = (outcome: () => void) => {
      thread.off('message', onMessage).off('error', onError).off('exit', onExit);
      outcome();
    };
    const onMessage = (reply: ProbeAnswer) => settle(() => ('error' in reply ? fail(new Error(`bound probe: ${reply.error}`)) : done(reply)));
    const onError = (error: Error) => settle(() => fail(error));
    const onExit = (code: number) => settle(() => fail(new Error(`bound probe thread exited (${code})`)));
    thread.on('message', onMessage).on('error', onError).on('exit', onExit);
    if (rounds !== undefined) thread.postMessage(rounds);
  });
}

async function sampleOf(thread: Worker, rounds: number): Promise<BoundSample> {
  const reply = await answer(thread, rounds);
  if (!('sample' in reply)) throw new Error('bound probe answered without a sample');
  return reply.sample;
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
      await decodeAtBaseLevel(photo.bytes, undefined, JPEG_DECODER);
      times.push(performance.now() - t);
    }
    total += percentile(times.sort((a, b) => a - b), 0.5);
  }
  return round(total / photos.length, 1);
}

/**
 * `lanes` callers each sending one image at a time. lanes = workers: no queueing, so latency is the time
 * of one image. lanes = 2 x workers: a backlog, as the indexer keeps (throughput; the pool hands each
 * worker its next image ahead of time).
 */
async function run(engine: FaceEngine, photos: readonly Photo[], lanes: number, probes?: ProbeThreads) {
  const latencies: number[] = [];
  let faces = 0;
  let seconds = 0;
  let cpuMs = 0;
  // Chunks, with bound samples between them (the engine idle while the probe runs).
  for (let at = 0; at < photos.length; at += CHUNK) {
    // Interleaved: the first samples after a chunk run on caches the engine just used, and neither bound should take all of those.
    for (let i = 0; i < PROBES_PER_CHUNK; i++) {
      await probes?.one();
      await probes?.all();
    }
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
    imagesPerSec: round(photos.length / seconds, 1),
    msPerImageP50: round(percentile(latencies, 0.5), 1),
    msPerImageP95: round(percentile(latencies, 0.95), 1),
    msPerImageMean: round(latencies.reduce((s, v) => s + v, 0) / latencies.length, 1),
    facesPerSec: round(faces / seconds, 1),
    // Every thread of the process (workers, libvips, onnxruntime): what an image costs on a quiet machine.
    cpuMsPerImage: round(cpuMs / photos.length, 1),
  };
}

/** Latency figures come from the run without a backlog (queueing would add to them). */
const latencyOf = ({ msPerImageP50, msPerImageP95, msPerImageMean }: Awaited<ReturnType<typeof run>>) => ({ msPerImageP50, msPerImageP95, msPerImageMean });

async function main(): Promise<void> {
  const lfw = lfwPhotos(resolve(args.faces!, 'lfw-dev'), Number(args.lfw));
  const large = await largePhotos(resolve(args.faces!, 'deepface'));
  const runs = [];
  const allSamples: BoundSample[] = [];
  let pixels = '';
  for (const workers of args.workers!.split(',').map(Number)) {
    const engine = await FaceEngine.create({
      modelsDir: args['models-dir']!,
      modelSet: args['model-set'],
      poolSize: workers,
      jpegDecoder: JPEG_DECODER,
    });
    pixels = `${engine.info.pixels}, JPEG by ${engine.info.jpegDecoder}`;
    const probes = await ProbeThreads.start(workers, { modelSet: args['model-set']!, modelsDir: args['models-dir']!, photo: lfw[0]!.bytes });
    try {
      const decodeMs = await baseDecodeMs(large);
      // Warm-up: first runs of each input shape allocate.
      await run(engine, [...lfw.slice(0, 2 * workers), ...large.slice(0, 2 * workers)], workers);
      const lfwRun = await run(engine, lfw, 2 * workers, probes);
      const bound = summarizeBound(probes.single);
      const concurrentBound = probes.concurrentSummary();
      allSamples.push(...probes.single);
      const lfwLatency = await run(engine, lfw, workers);
      const largeRun = await run(engine, large, 2 * workers);
      const largeLatency = await run(engine, large, workers);
      const facesPerImage = lfwRun.facesPerSec / lfwRun.imagesPerSec;
      const foundBoundMs = bound.detectorMs + facesPerImage * bound.embedderMs;
      runs.push({
        workers,
        bound,
        concurrentBound,
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
          ratioToConcurrentBound: round(lfwRun.imagesPerSec / concurrentBound.imagesPerSec, 3),
        },
        large: { ...largeRun, ...latencyOf(largeLatency), msPerImagePerWorker: round((1000 * workers) / largeRun.imagesPerSec, 1), decodeMs },
      });
    } finally {
      await Promise.all([engine.close(), probes.close()]);
    }
  }
  console.log(JSON.stringify({
    modelSet: args['model-set'],
    cpus: availableParallelism(),
    pixels,
    images: { lfw: lfw.length, large: large.length, largeMinSide: LARGE_MIN_SIDE },
    bound: summarizeBound(allSamples),
    runs,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
  }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
