import { type Logger } from '@nestjs/common';
import { type VectorIndexOptions } from '../vector-index.options';
import { readCpuFeatures, type CpuFeatures } from './cpu-features';
import { loadBitscan } from './bitscan-loader';
import { chooseHnswlib, type HnswlibChoice } from './hnswlib-loader';
import { IndexWorkerPool } from './index-worker-pool';
import { type EngineParams } from './tenant-index';

export interface IndexRuntime {
  readonly pool: IndexWorkerPool;
  readonly cpu: CpuFeatures;
  readonly hnswlib: HnswlibChoice;
  readonly params: EngineParams;
}

/** `scanAvailable`: whether the bitscan addon loads here (else large tenants use HNSW whatever the option says). */
export function engineParams(o: VectorIndexOptions, scanAvailable: boolean): EngineParams {
  return {
    dims: o.dims,
    m: o.m,
    efConstruction: o.efConstruction,
    efSearch: o.efSearch,
    efSearchWide: o.efSearchWide,
    exactScanMax: o.exactScanMax,
    largeKind: o.largeIndex === 'scan' && scanAvailable ? 'scan' : 'hnsw',
    scanCandidates: o.scanCandidates,
    scanThreads: o.scanThreads,
    seed: o.seed,
    sliceMs: o.sliceMs,
  };
}

/** Reads the CPU's SIMD flags, picks the hnswlib build they allow, logs both, and starts the workers. */
export async function startIndexRuntime(options: VectorIndexOptions, logger: Logger, onWorkerLost: (worker: number) => void): Promise<IndexRuntime> {
  const cpu = readCpuFeatures();
  const hnswlib = chooseHnswlib(options.simdAddonDir, cpu, options.hnswlib);
  const bitscan = loadBitscan();
  const params = engineParams(options, bitscan.module !== undefined);
  logger.log({
    msg: 'vector index engine',
    cpu: { model: cpu.model, avx: cpu.avx, avx2: cpu.avx2, fma: cpu.fma, avx512f: cpu.avx512f },
    hnswlib: hnswlib.build,
    reason: hnswlib.reason,
    workers: options.workerThreads,
    largeIndex: params.largeKind,
    bitscan: bitscan.kernel,
  });
  if (options.largeIndex === 'scan' && params.largeKind !== 'scan') {
    logger.warn({ msg: 'bitscan addon not built: tenants above exactScanMax use HNSW (lower match recall at 1M faces); run npm ci with a C compiler' });
  }
  if (hnswlib.build === 'portable' && cpu.avx2) {
    logger.warn({ msg: 'running the portable hnswlib build on a CPU with AVX2: searches are ~2x slower; run infra/scripts/build-hnswlib-simd.mjs' });
  }
  const pool = await IndexWorkerPool.start({ modulePath: hnswlib.modulePath, params }, options.workerThreads, onWorkerLost);
  return { pool, cpu, hnswlib, params };
}
