// One BoundProbe on its own thread (see ConcurrentBound in engine.bench.ts): answers each 'sample' with
// the per-image milliseconds of one sample, so N of them sampled at once measure N concurrent streams.
import { parentPort, workerData } from 'node:worker_threads';
import { BoundProbe } from './bound-probe';

export interface ProbeWorkerInit {
  readonly modelSet: string;
  readonly modelsDir: string;
  readonly photo: Uint8Array;
}

async function main(port: NonNullable<typeof parentPort>, init: ProbeWorkerInit): Promise<void> {
  const probe = await BoundProbe.create(init.modelSet, init.modelsDir, Buffer.from(init.photo));
  port.on('message', () => {
    void probe.sample().then(() => port.postMessage(probe.latest()));
  });
  port.postMessage('ready');
}

if (!parentPort) throw new Error('bound-probe.worker runs in a worker thread');
void main(parentPort, workerData as ProbeWorkerInit);
