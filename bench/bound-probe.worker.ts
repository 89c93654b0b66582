// One BoundProbe on its own thread (see ProbeThreads in engine.bench.ts): answers each request (a
// number of rounds) with one sample ({ sample }, or { error }).
import { parentPort, workerData } from 'node:worker_threads';
import { BoundProbe, type BoundSample } from './bound-probe';

export interface ProbeWorkerInit {
  readonly modelSet: string;
  readonly modelsDir: string;
  readonly photo: Uint8Array;
}

async function main(port: NonNullable<typeof parentPort>, init: ProbeWorkerInit): Promise<void> {
  const probe = await BoundProbe.create(init.modelSet, init.modelsDir, Buffer.from(init.photo));
  // rounds 3: three samples back to back, the middle one reported; it runs while the other threads run
  // theirs (a single sample's tail would run alone once a faster thread finished).
  const measure = async (rounds: number) => {
    let middle: BoundSample | undefined;
    for (let i = 0; i < rounds; i++) {
      const sample = await probe.sample();
      if (i === Math.floor(rounds / 2)) middle = sample;
    }
    return middle!;
  };
  port.on('message', (rounds: number) => {
    measure(rounds).then(
      (sample) => port.postMessage({ sample }),
      (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  port.postMessage({ ready: true });
}

if (!parentPort) throw new Error('bound-probe.worker runs in a worker thread');
void main(parentPort, workerData as ProbeWorkerInit);
