import { readFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig } from '@app/config';
import { type TenantId } from '@app/contracts';
import { createCrypto, CryptoModule, InMemoryWrappedKeyStore, LocalKeyProvider, TenantKeyService } from '@app/crypto';
import { LocalBlobStore } from '@app/storage';
import { captureLogs, testConfig } from '@app/testing';
import { VectorIndexClient } from '@app/vector-client';
import { createVectorIndexApp } from '../src/create-vector-index-app';
import { InMemoryEmbeddingSource } from '../src/in-memory-embedding-source';
import { SnapshotStore } from '../src/snapshot/snapshot-store';
import { TenantIndexService } from '../src/tenants/tenant-index.service';
import { normalizeQuery } from '../src/tenants/vector-input';
import { type VectorIndexOptions } from '../src/vector-index.options';

export const DIMS = 512;

export interface Replica {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  service: TenantIndexService;
  keys: TenantKeyService;
  logs: () => string;
  close: () => Promise<void>;
}

/** What survives a replica restart: the database (source), key store and config (blob folder, master key). */
export interface World {
  config: AppConfig;
  source: InMemoryEmbeddingSource;
  keyStore: InMemoryWrappedKeyStore;
}

export function newWorld(overrides: Record<string, string> = {}): World {
  return { config: testConfig(overrides), source: new InMemoryEmbeddingSource(), keyStore: new InMemoryWrappedKeyStore() };
}

export const TEST_OPTIONS: Partial<VectorIndexOptions> = {
  workerThreads: 1,
  efConstruction: 64,
  exactScanMax: 300,
  // Most specs check HNSW's graph, snapshot layout and scrubbing; the scan's specs ask for it.
  largeIndex: 'hnsw',
  snapshotIntervalMs: 0,
  deletionSnapshotDelayMs: 30,
  minCompactDeleted: 10,
  catchUpLookbackSeq: 50,
  loadWaitMs: 5_000,
};

const running = new Set<() => Promise<void>>();

/** Closes every replica a test left running (a failed assertion skips its own close). */
export async function closeAllReplicas(): Promise<void> {
  await Promise.all([...running].map((close) => close()));
}

/** The production app (same factory as main.ts) listening on 127.0.0.1, with in-memory database and keys. */
export async function startReplica(world: World, options: Partial<VectorIndexOptions> = {}, config = world.config): Promise<Replica> {
  const capture = captureLogs('debug');
  const app = await createVectorIndexApp(config, capture.logger, {
    imports: [CryptoModule.forRoot({ keyStore: { useValue: world.keyStore }, options: { dekCacheSweepIntervalMs: 0 } })],
    embeddingSource: { useValue: world.source },
    options: { ...TEST_OPTIONS, ...options },
  });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () => {
    running.delete(close);
    return (closing ??= app.close());
  };
  running.add(close);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    service: app.get(TenantIndexService),
    keys: app.get(TenantKeyService),
    logs: capture.text,
    close,
  };
}

export function clientFor(...replicas: (Replica | string)[]): VectorIndexClient {
  return new VectorIndexClient({ urls: replicas.map((r) => (typeof r === 'string' ? r : r.url)), dims: DIMS, searchTimeoutMs: 10_000 });
}

/** Deterministic face-like vectors: identity centres plus noise (same identity cos ≈ 0.6). */
export function faceVectors(count: number, seed: number, perIdentity = 4): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const unit = () => {
    const v = new Float32Array(DIMS);
    let n = 0;
    for (let i = 0; i < DIMS; i++) n += (v[i] = gauss()) ** 2;
    for (let i = 0; i < DIMS; i++) v[i] /= Math.sqrt(n);
    return v;
  };
  const out: Float32Array[] = [];
  let centre = unit();
  for (let i = 0; i < count; i++) {
    if (i % perIdentity === 0) centre = unit();
    const noise = unit();
    const v = new Float32Array(DIMS);
    for (let j = 0; j < DIMS; j++) v[j] = Math.sqrt(0.6) * centre[j] + Math.sqrt(0.4) * noise[j];
    out.push(v);
  }
  return out;
}

export const cosine = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
};

export async function provision(replica: Replica, tenantId: TenantId): Promise<void> {
  await replica.keys.provisionTenant(tenantId);
}

/** The world's snapshot store, opened outside any replica (as an auditor would), with its own crypto. */
export function auditSnapshots(world: World): { store: SnapshotStore; close: () => void } {
  const crypto = createCrypto({ keyStore: world.keyStore, provider: new LocalKeyProvider(world.config.kms.masterKey) });
  return { store: new SnapshotStore(new LocalBlobStore(world.config.storage.localDir), crypto.snapshots), close: () => crypto.close() };
}

/** Decrypts one stored snapshot and returns its sections. */
export async function openSnapshot(world: World, tenant: TenantId, snapshotId: string): Promise<{ ids: string; body: Buffer; kind: string }> {
  const audit = auditSnapshots(world);
  try {
    const base = join(world.config.dataDir, `audit-${snapshotId}-${Math.random().toString(36).slice(2)}`);
    const header = await audit.store.read(tenant, snapshotId, base);
    return { ids: readFileSync(`${base}.ids`, 'utf8'), body: readFileSync(`${base}.body`), kind: header.kind };
  } finally {
    audit.close();
  }
}

/** Whether the bytes hold the vector as the index stores it (unit length, Float32). */
export const holdsVector = (haystack: Buffer, v: Float32Array): boolean => {
  const unit = normalizeQuery(v, v.length);
  return haystack.indexOf(Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength)) >= 0;
};
