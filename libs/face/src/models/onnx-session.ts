import { InferenceSession, Tensor } from 'onnxruntime-node';

export { InferenceSession, Tensor };

/** One session per model per worker, reused for every image; threads per session are the pool's business. */
export function createSession(model: Uint8Array, threads: number): Promise<InferenceSession> {
  return InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

/** Zero-fills what a run returned once it has been read (outputs are image-derived). */
export function wipeOutputs(outputs: InferenceSession.OnnxValueMapType): void {
  for (const value of Object.values(outputs)) {
    const data = (value as Tensor).data;
    if (data instanceof Float32Array) data.fill(0);
    (value as Tensor).dispose?.();
  }
}
