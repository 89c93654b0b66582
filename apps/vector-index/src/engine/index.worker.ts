import { parentPort, workerData } from 'node:worker_threads';
import { loadBitscan } from './bitscan-loader';
import { loadHnswlib } from './hnswlib-loader';
import { EngineError, TenantEngine } from './tenant-engine';
import { type EngineRequest, type WorkerInit, type WorkerMessage } from './worker-protocol';

function handle(engine: TenantEngine, req: EngineRequest): unknown {
  switch (req.op) {
    case 'create':
      return engine.create(req.tenantId, req.kind, req.capacity);
    case 'add':
      return engine.add(req.tenantId, req.faceIds, req.vectors);
    case 'remove':
      return engine.remove(req.tenantId, req.faceIds);
    case 'search':
      return engine.search(req.tenantId, req.vector, req.k, req.minSimilarity);
    case 'stats':
      return engine.stats(req.tenantId) ?? null;
    case 'drop':
      return engine.drop(req.tenantId);
    case 'save':
      return engine.save(req.tenantId, req.base);
    case 'load':
      return engine.load(req.tenantId, req.base, req.kind);
    case 'compact':
      return engine.compact(req.tenantId);
    case 'waitRebuild':
      return engine.waitRebuild(req.tenantId).then(() => null);
  }
}

function main(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  let engine: TenantEngine;
  try {
    // The addon whenever it is built: an hnsw replica may still open a scan snapshot (and converts it).
    engine = new TenantEngine(loadHnswlib(init.modulePath), init.params, loadBitscan().module);
  } catch (error) {
    post({ type: 'init-error', message: (error as Error).message });
    return;
  }
  port.on('message', (req: EngineRequest) => {
    // Requests overlap: a search is answered while another tenant's add is between two slices.
    Promise.resolve()
      .then(() => handle(engine, req))
      .then(
        (result) => {
          const transfer = req.op === 'search' ? [(result as { similarities: Float32Array }).similarities.buffer as ArrayBuffer] : [];
          post({ type: 'result', id: req.id, result }, transfer);
        },
        (error: unknown) => {
          const code = error instanceof EngineError ? error.code : 'engine_failure';
          // Messages of hnswlib and of this engine carry no vectors or face ids.
          post({ type: 'error', id: req.id, code, message: (error as Error).message });
        },
      )
      .finally(() => {
        if (req.op === 'search') req.vector.fill(0);
      });
  });
  post({ type: 'ready' });
}

if (!parentPort) throw new Error('index.worker runs inside a worker thread started by IndexWorkerPool');
main(parentPort, workerData as WorkerInit);
