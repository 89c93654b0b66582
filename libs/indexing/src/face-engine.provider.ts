import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FaceEngine } from '@app/face';

/**
 * The process's face engine (a worker-thread pool with the ONNX sessions), started on first use so
 * apps that never analyse an image do not load models, and closed on shutdown.
 */
@Injectable()
export class FaceEngineProvider implements OnApplicationShutdown {
  private readonly logger = new Logger(FaceEngineProvider.name);
  private engine?: Promise<FaceEngine>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

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
        (e) => this.logger.log({ msg: 'face engine ready', modelSet: e.info.id, version: e.info.version, poolSize: e.info.poolSize, durationMs: Date.now() - started }),
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
