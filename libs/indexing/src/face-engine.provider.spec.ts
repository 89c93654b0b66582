import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@app/config';
import { FaceEngine } from '@app/face';
import { FaceEngineProvider } from './face-engine.provider';

const config = (preload?: 'true' | 'false') =>
  loadConfig({ NODE_ENV: 'test', FACESEARCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'face-provider-')), ...(preload ? { FACE_ENGINE_PRELOAD: preload } : {}) });

const fakeEngine = (pixels = 'libjpeg 62') =>
  ({ info: { id: 'm', version: '1', embeddingDimension: 512, poolSize: 1, pixels, jpegDecoder: 'libjpeg' }, close: jest.fn(async () => undefined) }) as unknown as FaceEngine;

describe('FaceEngineProvider', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.restoreAllMocks());

  it('starts the engine as the app starts with preload, once, and closes it on shutdown', async () => {
    const engine = fakeEngine();
    const create = jest.spyOn(FaceEngine, 'create').mockResolvedValue(engine);
    const provider = new FaceEngineProvider(config('true'));
    provider.onApplicationBootstrap();
    expect(create).toHaveBeenCalledTimes(1);
    expect(await provider.get()).toBe(engine);
    expect(create).toHaveBeenCalledTimes(1);
    await provider.onApplicationShutdown();
    expect(engine.close).toHaveBeenCalled();
  });

  it('waits for the first image without preload (the default under NODE_ENV=test)', async () => {
    const create = jest.spyOn(FaceEngine, 'create').mockResolvedValue(fakeEngine());
    const provider = new FaceEngineProvider(config());
    provider.onApplicationBootstrap();
    expect(create).not.toHaveBeenCalled();
    await provider.get();
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('a preload that fails does not fail the app; the next use tries again', async () => {
    const create = jest.spyOn(FaceEngine, 'create').mockRejectedValueOnce(new Error('models missing')).mockResolvedValue(fakeEngine());
    const provider = new FaceEngineProvider(config('true'));
    provider.onApplicationBootstrap();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(provider.get()).resolves.toBeDefined();
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('warns at start when the native pixels addon is missing (the engine then runs slower fallbacks)', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    jest.spyOn(FaceEngine, 'create').mockResolvedValueOnce(fakeEngine('unavailable: Cannot find module')).mockResolvedValueOnce(fakeEngine());
    const missing = new FaceEngineProvider(config());
    await missing.get();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ pixels: 'unavailable: Cannot find module' }));
    warn.mockClear();
    await new FaceEngineProvider(config()).get();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).not.toHaveBeenCalled();
  });
});
