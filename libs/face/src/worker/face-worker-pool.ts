import { Worker } from 'node:worker_threads';
import type { FaceAnalysis } from '../face-analysis.types';
import { FaceError } from '../face.error';
import type { ResolvedAnalyzeOptions } from '../pipeline/face-pipeline';
import { resolveWorkerEntry } from './worker-entry';
import type { AnalyzeJob, WorkerInit, WorkerMessage } from './worker-protocol';

interface PendingJob {
  readonly id: number;
  /** The caller's buffer, which it keeps until the promise settles: copied afresh for each send. */
  readonly bytes: Uint8Array;
  readonly options: ResolvedAnalyzeOptions;
  readonly resolve: (analysis: FaceAnalysis) => void;
  readonly reject: (error: FaceError) => void;
  /** Sent once already, to a worker that died while it waited behind another job. */
  retried?: boolean;
}

interface Slot {
  readonly worker: Worker;
  /** Sent and not settled, oldest first; the worker runs them one at a time in this order. */
  readonly inFlight: PendingJob[];
}

// Jobs handed to a worker ahead of time: the next image is already waiting in the worker when it
// finishes one, instead of the worker idling until this thread (busy with its own work on a small
// machine) answers the result and dispatches again.
const JOBS_PER_WORKER = 2;

/**
 * Worker threads each holding one loaded pipeline (its own onnxruntime sessions): inference and pixel
 * loops stay off the caller's event loop. Jobs queue in order, at most JOBS_PER_WORKER sent to each
 * worker; a worker that dies fails the job it was analysing (the one waiting behind it is sent again
 * once) and is replaced.
 */
export class FaceWorkerPool {
  private readonly queue: PendingJob[] = [];
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly init: WorkerInit) {}

  static async start(init: WorkerInit, size: number): Promise<FaceWorkerPool> {
    const pool = new FaceWorkerPool(init);
    try {
      await Promise.all(Array.from({ length: size }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  run(bytes: Uint8Array, options: ResolvedAnalyzeOptions): Promise<FaceAnalysis> {
    if (this.closed) return Promise.reject(new FaceError('engine_unavailable', 'the face engine is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, options, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new FaceError('engine_unavailable', 'the face engine is closed'));
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      for (const pending of slot.inFlight.splice(0)) pending.reject(new FaceError('engine_unavailable', 'the face engine is closed'));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const entry = resolveWorkerEntry();
    const worker = new Worker(entry.script, { eval: entry.eval, workerData: this.init });
    const slot: Slot = { worker, inFlight: [] };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          this.slots.push(slot);
          resolve();
          this.dispatch();
        } else if (message.type === 'init-error') {
          reject(new FaceError(message.code, message.detail));
          void worker.terminate();
        } else {
          this.settle(slot, message);
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(new FaceError('engine_unavailable', 'a face worker failed to start', { cause: error }));
        else this.lose(slot, error);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new FaceError('engine_unavailable', `a face worker exited while starting (code ${code})`));
        else this.lose(slot, new Error(`exited with code ${code}`));
      });
    });
  }

  private settle(slot: Slot, message: Extract<WorkerMessage, { id: number }>): void {
    const index = slot.inFlight.findIndex((pending) => pending.id === message.id);
    if (index < 0) return;
    const [pending] = slot.inFlight.splice(index, 1) as [PendingJob];
    if (message.type === 'result') pending.resolve(message.analysis);
    else pending.reject(new FaceError(message.code, message.detail));
    this.dispatch();
  }

  /** A worker died: fail its job, replace it (unless closing), keep the queue moving. */
  private lose(slot: Slot, cause: unknown): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    // The job being analysed fails. One waiting behind it (only decoding, or not started) goes back to
    // the front of the queue once: it is rarely what killed the worker, and a second death fails it.
    const [current, ...waiting] = slot.inFlight.splice(0);
    current?.reject(new FaceError('engine_unavailable', 'a face worker stopped while analysing this image', { cause }));
    for (const pending of waiting.reverse()) {
      if (pending.retried || this.closed) {
        pending.reject(new FaceError('engine_unavailable', 'a face worker stopped while this image waited for it', { cause }));
      } else {
        pending.retried = true;
        this.queue.unshift(pending);
      }
    }
    if (this.closed) return;
    this.spawn().catch((error: unknown) => {
      // Cannot replace it: fail what waits if no worker is left, rather than hang.
      if (this.slots.length === 0) {
        for (const pending of this.queue.splice(0)) pending.reject(error instanceof FaceError ? error : new FaceError('engine_unavailable', 'no face worker is running'));
      }
    });
  }

  /** Idle workers first, so a lone job never waits behind another worker's current one. */
  private dispatch(): void {
    for (let depth = 1; depth <= JOBS_PER_WORKER; depth++) {
      for (const slot of this.slots) {
        if (slot.inFlight.length >= depth) continue;
        const next = this.queue.shift();
        if (!next) return;
        slot.inFlight.push(next);
        // The worker gets its own copy, transferred (not cloned twice); the caller's buffer is untouched.
        const job: AnalyzeJob = { id: next.id, bytes: new Uint8Array(next.bytes), options: next.options };
        slot.worker.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
      }
    }
  }
}
