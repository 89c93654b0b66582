import type { AnalyzeOptions, FaceAnalysis, ModelSetRef } from './face-analysis.types';
import type { JpegDecoder } from './image/image.decoder';
import { type FaceEngineOptions, resolveAnalyzeOptions, resolveEngineOptions, type ResolvedEngineOptions } from './face-engine.options';
import { checkImageBytes } from './image/image.decoder';
import { loadPixelsAddon } from './image/pixels-addon.loader';
import { resolveModelSet, verifyModelSet } from './models/model-registry';
import { FaceWorkerPool } from './worker/face-worker-pool';

export interface FaceEngineInfo extends ModelSetRef {
  readonly embeddingDimension: number;
  readonly poolSize: number;
  /** The native pixels addon ("libjpeg 62") or why it is missing; without it the engine runs its TypeScript and sharp paths, ~20% slower. */
  readonly pixels: string;
  readonly jpegDecoder: JpegDecoder;
}

/**
 * Finds, aligns and embeds every face of an image. Work runs in a pool of worker threads; the caller's
 * event loop only routes jobs. Create once at start-up (models load and are hash-checked then) and close
 * on shutdown.
 */
export class FaceEngine {
  private constructor(
    private readonly pool: FaceWorkerPool,
    private readonly options: ResolvedEngineOptions,
    readonly info: FaceEngineInfo,
  ) {}

  static async create(options: FaceEngineOptions): Promise<FaceEngine> {
    const resolved = resolveEngineOptions(options);
    const manifest = resolveModelSet(options);
    // Fail here, in the caller's stack, on a missing or altered model file (workers check again as they load).
    verifyModelSet(manifest);
    const pool = await FaceWorkerPool.start({ manifest, settings: resolved.pipeline }, resolved.poolSize);
    const info = {
      id: manifest.id,
      version: manifest.version,
      embeddingDimension: manifest.embedder.dimension,
      poolSize: resolved.poolSize,
      // The workers load the same addon file as this thread.
      pixels: loadPixelsAddon().status,
      jpegDecoder: resolved.pipeline.jpegDecoder,
    };
    return new FaceEngine(pool, resolved, info);
  }

  /**
   * Rejects with FaceError: API.md's image codes for bad input, engine codes for faults. `bytes` must
   * stay as they are until the promise settles (the pool copies them to a worker when one is free).
   */
  async analyze(bytes: Uint8Array, options?: AnalyzeOptions): Promise<FaceAnalysis> {
    const resolved = resolveAnalyzeOptions(options, this.options.defaults);
    // Refused before any copy to a worker: too large, or not an image format we take.
    checkImageBytes(bytes, this.options.pipeline.limits);
    return this.pool.run(bytes, resolved);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
