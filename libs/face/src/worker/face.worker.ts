import sharp from 'sharp';
import { parentPort, workerData } from 'node:worker_threads';
import { FaceError } from '../face.error';
import { FacePipeline, type OpenedImage } from '../pipeline/face-pipeline';
import type { AnalyzeJob, WorkerInit, WorkerMessage } from './worker-protocol';

// Process-wide libvips settings, the same for every worker: no operation cache (it would keep decoded
// pixels of past images in memory), and one libvips thread per operation (the pool is the parallelism).
sharp.cache(false);
sharp.concurrency(1);

function asFaceError(error: unknown): FaceError {
  return error instanceof FaceError ? error : new FaceError('engine_failure', 'the face engine failed on this image', { cause: error });
}

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  let pipeline: FacePipeline;
  try {
    pipeline = await FacePipeline.load(init.manifest, init.settings);
    await pipeline.warmUp();
  } catch (error) {
    const failure = asFaceError(error);
    post({ type: 'init-error', code: failure.code, detail: failure.detail });
    return;
  }
  // The pool may send the next job before this one ends. Its decode starts at once (libvips runs it
  // on its own thread while this one runs the models on the current image); the rest of each job
  // runs strictly one after another, so the sessions are never run concurrently.
  let previous: Promise<void> = Promise.resolve();
  const finish = async (job: AnalyzeJob, opening: Promise<OpenedImage>): Promise<void> => {
    try {
      const analysis = await pipeline.analyzeOpened(await opening, job.options);
      post({ type: 'result', id: job.id, analysis }, analysis.faces.map((face) => face.embedding.buffer as ArrayBuffer));
    } catch (error) {
      const failure = asFaceError(error);
      // Unexpected faults go to stderr without image data: the message and stack only.
      if (failure.code === 'engine_failure') console.error('[face worker]', failure.cause instanceof Error ? failure.cause.stack : String(failure.cause));
      post({ type: 'error', id: job.id, code: failure.code, detail: failure.detail });
    } finally {
      job.bytes.fill(0);
    }
  };
  port.on('message', (job: AnalyzeJob) => {
    const opening = pipeline.open(job.bytes, job.options);
    // Settled in finish(); marked handled now so a failed decode waiting its turn is not "unhandled".
    opening.catch(() => undefined);
    previous = previous.then(() => finish(job, opening));
  });
  post({ type: 'ready' });
}

if (!parentPort) throw new Error('face.worker runs inside a worker thread started by FaceWorkerPool');
void main(parentPort, workerData as WorkerInit);
