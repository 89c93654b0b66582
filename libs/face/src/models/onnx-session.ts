import { InferenceSession, Tensor } from 'onnxruntime-node';
import { flushNegligibleWeights } from './flush-negligible-weights';
import { type ModelFileRef } from './model-manifest';
import { readModelFile } from './model-registry';

export { InferenceSession, Tensor };

/** A model file's bytes as sessions load them: hash-checked, then negligible weights (under 2^-60) flushed to zero. */
export function loadModelBytes(ref: ModelFileRef): Uint8Array {
  const bytes = readModelFile(ref);
  flushNegligibleWeights(bytes);
  return bytes;
}

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
