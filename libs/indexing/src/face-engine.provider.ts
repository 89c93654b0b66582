import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FaceEngine } from '@app/face';

/**
 * The process's face engine (a worker-thread pool with the ONNX sessions), closed on shutdown. With
 * config.face.preload it starts as the app starts, in the background (the app does not wait for it),
 * so the first search or job does not pay the model load (~1 s, it was the p99 of searches); without
 * it, on first use. A failed start is retried by the next use.
 */
@Injectable()
export class FaceEngineProvider implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FaceEngineProvider.name);
  private engine?: Promise<FaceEngine>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    if (!this.config.face.preload) return;
    this.get().catch((err: unknown) =>
      this.logger.warn({ msg: 'face engine did not start; the first image retries', error: err instanceof Error ? err.message : String(err) }),
    );
  }

  get(): Promise<FaceEngine> {
    if (!this.engine) {
      const started = Date.now();
      this.engine = FaceEngine.create({
        modelsDir: this.config.face.modelsDir,
        modelSet: this.config.face.modelSet,
        manifestPath: this.config.face.manifestPath,
        poolSize: this.config.face.poolSize,
        limits: { maxBytes: this.config.images.maxBytes, maxPixels: this.config.images.maxPixels },
      });
      this.engine.then(
        (e) => {
          this.logger.log({ msg: 'face engine ready', modelSet: e.info.id, version: e.info.version, poolSize: e.info.poolSize, pixels: e.info.pixels, durationMs: Date.now() - started });
          if (!e.info.pixels.startsWith('libjpeg')) {
            this.logger.warn({ msg: 'face engine pixels addon not built: JPEG decoding and pixel work run in sharp and TypeScript (~20% slower); run npm ci with libjpeg-dev installed', pixels: e.info.pixels });
          }
        },
        () => {
          // Let the next call try again (models installed meanwhile, say).
          this.engine = undefined;
        },
      );
    }
    return this.engine;
  }

  async onApplicationShutdown(): Promise<void> {
    const engine = await this.engine?.catch(() => undefined);
    await engine?.close();
  }
}
