import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { IndexServiceError, IndexServiceErrorCode } from '../vector-index.error';
import { resolveWorkerEntry } from './worker-entry';
import { type EngineOp, type EngineOpName, type EngineResults, type WorkerInit, type WorkerMessage } from './worker-protocol';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: boolean;
}

/** An engine failure reported by a worker (`code` from EngineError). */
export class WorkerCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Worker threads, each holding the HNSW/flat indexes of the tenants hashed to it. All hnswlib calls run
 * there, so the main event loop (HTTP, /health) never waits on a search or an insert. A worker that
 * dies takes its tenants with it: their calls fail with `index_unavailable`, `onWorkerLost` tells the
 * service to forget them (they reload on next use), and a fresh worker replaces it.
 */
export class IndexWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly init: WorkerInit,
    private readonly onWorkerLost: (worker: number) => void,
  ) {}

  static async start(init: WorkerInit, size: number, onWorkerLost: (worker: number) => void = () => undefined): Promise<IndexWorkerPool> {
    const pool = new IndexWorkerPool(init, onWorkerLost);
    try {
      for (let i = 0; i < size; i++) pool.slots.push(await pool.spawn(i));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The worker that holds tenantId (stable for the pool's life). */
  workerOf(tenantId: string): number {
    return createHash('sha1').update(tenantId).digest().readUInt32BE(0) % this.slots.length;
  }

  call<O extends EngineOpName>(op: Extract<EngineOp, { op: O }>, transfer: ArrayBuffer[] = []): Promise<EngineResults[O]> {
    if (this.closed) return Promise.reject(new IndexServiceError(IndexServiceErrorCode.Unavailable, 'the vector index is shutting down'));
    const slot = this.slots[this.workerOf(op.tenantId)];
    if (!slot?.ready) return Promise.reject(new IndexServiceError(IndexServiceErrorCode.Unavailable, 'the index worker is restarting'));
    const id = this.nextId++;
    return new Promise<EngineResults[O]>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ ...op, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.failAll(slot, new IndexServiceError(IndexServiceErrorCode.Unavailable, 'the vector index is shutting down'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(index: number): Promise<Slot> {
    const entry = resolveWorkerEntry();
    const worker = new Worker(entry.script, { eval: entry.eval, workerData: this.init });
    const slot: Slot = { worker, pending: new Map(), ready: false };
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            slot.ready = true;
            resolve(slot);
            return;
          case 'init-error':
            reject(new IndexServiceError(IndexServiceErrorCode.Unavailable, `an index worker failed to start: ${message.message}`));
            void worker.terminate();
            return;
          case 'result':
          case 'error': {
            const pending = slot.pending.get(message.id);
            if (!pending) return;
            slot.pending.delete(message.id);
            if (message.type === 'result') pending.resolve(message.result);
            else pending.reject(new WorkerCallError(message.code, message.message));
          }
        }
      });
      worker.on('error', (error) => {
        if (!slot.ready) reject(new IndexServiceError(IndexServiceErrorCode.Unavailable, 'an index worker failed to start', { cause: error }));
      });
      worker.on('exit', (code) => {
        if (!slot.ready) {
          reject(new IndexServiceError(IndexServiceErrorCode.Unavailable, `an index worker exited while starting (code ${code})`));
          return;
        }
        this.lose(index, slot, code);
      });
    });
  }

  private lose(index: number, slot: Slot, code: number): void {
    slot.ready = false;
    this.failAll(slot, new IndexServiceError(IndexServiceErrorCode.Unavailable, `an index worker stopped (code ${code})`));
    if (this.closed || this.slots[index] !== slot) return;
    this.onWorkerLost(index);
    this.spawn(index).then(
      (fresh) => {
        if (this.closed) void fresh.worker.terminate();
        else this.slots[index] = fresh;
      },
      () => undefined,
    );
  }

  private failAll(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }
}
