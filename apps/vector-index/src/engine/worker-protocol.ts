import { type AddOutcome, type EngineTenantStats, type SavedBody, type SearchHits } from './tenant-engine';
import { type EngineParams, type IndexKind } from './tenant-index';

/** What the main thread asks a worker; every op names its tenant. Float32Arrays are transferred. */
export type EngineOp =
  | { op: 'create'; tenantId: string; kind: IndexKind; capacity: number }
  | { op: 'add'; tenantId: string; faceIds: string[]; vectors: Float32Array }
  | { op: 'remove'; tenantId: string; faceIds: string[] }
  | { op: 'search'; tenantId: string; vector: Float32Array; k: number; minSimilarity: number }
  | { op: 'stats'; tenantId: string }
  | { op: 'drop'; tenantId: string }
  | { op: 'save'; tenantId: string; base: string }
  | { op: 'load'; tenantId: string; base: string; kind: IndexKind }
  | { op: 'compact'; tenantId: string }
  | { op: 'waitRebuild'; tenantId: string };

export interface EngineResults {
  create: EngineTenantStats;
  add: AddOutcome;
  remove: { removed: number; stats: EngineTenantStats };
  search: SearchHits;
  stats: EngineTenantStats | null;
  drop: boolean;
  save: SavedBody;
  load: EngineTenantStats;
  compact: boolean;
  waitRebuild: null;
}

export type EngineOpName = EngineOp['op'];
export type EngineRequest = EngineOp & { id: number };

export interface WorkerInit {
  /** What to require() for hnswlib (the SIMD addon's path or 'hnswlib-node'). */
  readonly modulePath: string;
  readonly params: EngineParams;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; code: string; message: string };
