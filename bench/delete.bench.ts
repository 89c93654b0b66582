// npm run bench:delete — the Face Data Delete API and the audit export at size, through the real stack
// (gateway, indexer worker and vector index in this process, on loopback, against the local Postgres
// and Redis, with a database and Redis prefix of its own, dropped afterwards). Faces are synthetic
// 512-d vectors sealed with the tenant's data key (EnvelopeService) and written with multi-row INSERTs,
// so no image is analysed. Prints one JSON object on stdout; progress goes to stderr.
//
//   (a) time until a deleted face is unsearchable: --faces N (10000) in a tenant, --deletes N (200)
//       DELETE /v1/faces/{id} one after the other; after each call returns, the vector index is searched
//       for the deleted embedding. Latency p50/p99 of the call, share unsearchable at return.
//   (b) purge of a tenant with --purge-faces N (100000) faces: DELETE /v1/face-data (request → receipt
//       completed) and DELETE /v1/tenants/{id}, each on a tenant of its own. --purge-index loaded (default)
//       loads the face-data tenant's index first (building a 100k HNSW takes minutes here), cold leaves it
//       unloaded on the replica; --tenant-index the same for the tenant deletion (default cold: it only
//       drops the index, which a loaded 100k HNSW did in ~40 ms).
//   (c) audit export of --audit-events N (1000000) events seeded with generate_series:
//       GET /v1/audit-events/export?format=jsonl and csv, timed, RSS sampled while streaming.
//   --only faces,purge,tenant,audit   parts to run (default all)
//   --quick                           small sizes for a smoke run (1000 faces, 20 deletes, 5000, 20000)
//   --hnsw-wait S                     (a) waits up to S s (300) for the tenant's large index (scan or HNSW) before deleting
//   --seq-start N                     first faces.seq of the bench database (1000000). The figures were
//                                     measured so, while FaceRepository ordered by `seq::text` (fixed since:
//                                     a load whose seqs crossed a power of ten missed faces); 1 checks the fix.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { TenantId } from '@app/contracts';
import { AuditService } from '@app/audit';
import { CryptoModule, EnvelopeService } from '@app/crypto';
import { createLogger, NestPinoLogger } from '@app/observability';
import { AuditEventRepository, DeletionRepository, FaceErasureRepository, PersistenceModule, PgEmbeddingSource, PgWrappedKeyStore } from '@app/persistence';
import { type DeletionReceipt, FacesearchClient } from '@app/sdk';
import { VectorIndexClient } from '@app/vector-client';
import { createGatewayApp } from '../apps/gateway/src/create-gateway-app';
import { IndexerModule } from '../apps/indexer/src/indexer.module';
import { createVectorIndexApp } from '../apps/vector-index/src/create-vector-index-app';
import { resolveVectorIndexOptions } from '../apps/vector-index/src/vector-index.options';
import { benchStack, dropBenchStack } from './bench-stack';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const arg = (name: string, full: number, quick: number): number => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : QUICK ? quick : full;
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
};
const strArg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? String(argv[i + 1]) : fallback;
};
const FACES = arg('faces', 10_000, 1_000);
const DELETES = Math.min(arg('deletes', 200, 20), FACES);
const PURGE_FACES = arg('purge-faces', 100_000, 5_000);
const AUDIT_EVENTS = arg('audit-events', 1_000_000, 20_000);
const HNSW_WAIT_S = arg('hnsw-wait', 300, 60);
const PURGE_INDEX = strArg('purge-index', 'loaded');
const TENANT_INDEX = strArg('tenant-index', 'cold');
const SEQ_START = Math.max(1, arg('seq-start', 1_000_000, 1_000_000));
const ONLY = new Set(strArg('only', 'faces,purge,tenant,audit').split(','));
for (const v of [PURGE_INDEX, TENANT_INDEX]) if (v !== 'loaded' && v !== 'cold') throw new Error('--purge-index and --tenant-index are loaded or cold');

const DIMS = 512;
const MODEL_SET = 'yunet-arcface-v1';
const MODEL_VERSION = '1';
const MODEL_KEY = `${MODEL_SET}@${MODEL_VERSION}`;
const ROWS_PER_INSERT = 1000;

const log = (msg: string) => process.stderr.write(`[bench:delete ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024);
const load = () => loadavg().map((x) => round(x, 2));
const pct = (xs: readonly number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
};
const summary = (xs: readonly number[]) => ({ p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: xs.length ? round(Math.max(...xs)) : null, mean: xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null });


/** Deterministic PRNG (mulberry32), so every run seeds the same vectors. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random direction in 512-d (Gaussian components, unit length): strangers sit at cos ~0 ± 0.044. */
function randomUnitVector(rand: () => number): Float32Array {
  const v = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    v[i] = r * Math.cos(t);
    v[i + 1] = r * Math.sin(t);
    norm += v[i]! * v[i]! + v[i + 1]! * v[i + 1]!;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) v[i]! *= inv;
  return v;
}

/** Accumulates the time spent in some methods of a live provider (wrapped on the instance only). */
class Timings {
  readonly spent: Record<string, { calls: number; ms: number }> = {};

  wrap(label: string, target: object, names: readonly string[]): void {
    const t = target as Record<string, unknown>;
    for (const name of names) {
      const original = t[name];
      if (typeof original !== 'function') throw new Error(`${label}.${name} is not a method`);
      const bound = (original as (...args: unknown[]) => unknown).bind(target);
      const key = `${label}.${name}`;
      t[name] = (...args: unknown[]) => {
        const started = performance.now();
        const done = () => {
          const e = (this.spent[key] ??= { calls: 0, ms: 0 });
          e.calls++;
          e.ms += performance.now() - started;
        };
        const result = bound(...args);
        if (result instanceof Promise) return result.finally(done);
        // Async generators and plain values: counted as calls only.
        done();
        return result;
      };
    }
  }

  reset(): void {
    for (const k of Object.keys(this.spent)) delete this.spent[k];
  }

  /** Milliseconds per entry (and per call), rounded. */
  report(per = 1): Record<string, { calls: number; ms: number; msPerCall: number }> {
    return Object.fromEntries(
      Object.entries(this.spent)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([k, v]) => [k, { calls: v.calls, ms: round(v.ms / per), msPerCall: round(v.ms / Math.max(1, v.calls), 2) }]),
    );
  }
}

async function main(): Promise<void> {
  const stack = await benchStack({ RETENTION_SWEEP_INTERVAL_MS: '0' });
  const { config, db, vectorPort } = stack;
  const started = Date.now();
  const loadBefore = load();
  log(`load average ${loadBefore.join(' ')}; booting gateway, indexer and vector index (database ${db})`);
  const logger = new NestPinoLogger(createLogger({ level: 'error', app: 'bench' }));
  const apps: INestApplication[] = [];
  const owner = new Client({ connectionString: config.db.adminUrl });
  const result: Record<string, unknown> = { bench: 'delete', quick: QUICK, seqStart: SEQ_START };

  try {
    const vectorsApp = await createVectorIndexApp(config, logger, {
      imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
      embeddingSource: { useExisting: PgEmbeddingSource },
    });
    await vectorsApp.listen(vectorPort, '127.0.0.1');
    apps.push(vectorsApp);
    const gateway = await createGatewayApp(config, logger);
    await gateway.listen(0, '127.0.0.1');
    apps.push(gateway);
    const indexer = await NestFactory.create(IndexerModule.forRoot({ ...config, indexer: { ...config.indexer, port: 0 } }), { logger });
    await indexer.init();
    apps.push(indexer);
    const baseUrl = await gateway.getUrl();
    await owner.connect();
    if (SEQ_START > 1) await owner.query(`ALTER TABLE faces ALTER COLUMN seq RESTART WITH ${SEQ_START}`);

    const envelope = gateway.get(EnvelopeService, { strict: false });
    // The bench's own client: searches it makes are not counted in the product's timings.
    const index = VectorIndexClient.fromConfig(config);
    const operator = new FacesearchClient({ baseUrl, apiKey: config.auth.operatorToken, maxRetries: 0, timeoutMs: 120_000 });
    const hnswlib = (await index.stats(TenantId.generate())).hnswlib;

    const newTenant = async (name: string) => {
      const t = await operator.createTenant({ name });
      return { tenantId: TenantId.parse(t.tenantId), admin: new FacesearchClient({ baseUrl, apiKey: t.adminApiKey, maxRetries: 0, timeoutMs: 120_000 }) };
    };

    /**
     * `n` faces, one per asset, sealed under the tenant's data key and inserted 1000 rows per statement
     * (as the owner: RLS does not apply). Returns the ids and, for the indexes in `keep`, the vectors.
     */
    const seedFaces = async (tenantId: TenantId, n: number, seed: number, keep: ReadonlySet<number> = new Set()) => {
      const t0 = performance.now();
      const rand = prng(seed);
      const ids: string[] = [];
      const kept = new Map<number, Float32Array>();
      let keyVersion = 0;
      for (let start = 0; start < n; start += ROWS_PER_INSERT) {
        const count = Math.min(ROWS_PER_INSERT, n - start);
        const faceIds: string[] = [];
        const assetIds: string[] = [];
        const blobs: Buffer[] = [];
        for (let i = start; i < start + count; i++) {
          const id = randomUUID();
          const vector = randomUnitVector(rand);
          const blob = await envelope.encrypt(tenantId, id, MODEL_KEY, vector);
          keyVersion = envelope.keyVersionOf(blob);
          if (keep.has(i)) kept.set(i, vector);
          faceIds.push(id);
          assetIds.push(`bench-${seed}-${i}`);
          blobs.push(blob);
        }
        const now = new Date();
        await owner.query('BEGIN');
        await owner.query(
          `INSERT INTO assets (tenant_id, asset_id, content_sha256, indexed_at) SELECT $1, a, md5(a) || md5(a), $3 FROM unnest($2::text[]) AS a`,
          [tenantId, assetIds, now],
        );
        const values: string[] = [];
        const params: unknown[] = [tenantId, MODEL_SET, MODEL_VERSION, keyVersion, now];
        for (let j = 0; j < count; j++) {
          const p = params.length;
          values.push(`($${p + 1}::uuid, $1, $${p + 2}, 0.1, 0.1, 0.3, 0.4, 0.99, '{"sharpness":0.8}'::jsonb, $2, $3, $4, $${p + 3}, $5)`);
          params.push(faceIds[j], assetIds[j], blobs[j]);
        }
        await owner.query(
          `INSERT INTO faces (id, tenant_id, asset_id, box_left, box_top, box_width, box_height, confidence, quality, model_set, model_version, key_version, embedding, indexed_at) VALUES ${values.join(', ')}`,
          params,
        );
        await owner.query('COMMIT');
        ids.push(...faceIds);
        if ((start / ROWS_PER_INSERT) % 20 === 19) log(`  seeded ${start + count}/${n} faces`);
      }
      return { ids, kept, seconds: round((performance.now() - t0) / 1000, 2) };
    };

    /** Loads the tenant on its replica (a search does), then waits for the state `want` at most `waitS` seconds. */
    const loadIndex = async (tenantId: TenantId, probe: Float32Array, want: 'ready' | 'large', waitS: number) => {
      const t0 = performance.now();
      for (;;) {
        try {
          await index.search(tenantId, probe, 1);
          break;
        } catch (err) {
          if (performance.now() - t0 > 600_000) throw err;
          await sleep(250);
        }
      }
      const loadedS = round((performance.now() - t0) / 1000, 2);
      let stats = await index.stats(tenantId);
      let lastLog = performance.now();
      // Past exactScanMax the tenant moves to the large index (scan or HNSW) in the background: wait for it.
      while (want === 'large' && (stats.kind === 'flat' || stats.rebuilding) && stats.count > 4000 && performance.now() - t0 < waitS * 1000) {
        if (performance.now() - lastLog > 15_000) {
          log(`  waiting for the large index: ${stats.kind}, rebuilding ${stats.rebuilding}, ${round((performance.now() - t0) / 1000)} s`);
          lastLog = performance.now();
        }
        await sleep(500);
        stats = await index.stats(tenantId);
      }
      return { loadedSeconds: loadedS, readySeconds: round((performance.now() - t0) / 1000, 2), kind: stats.kind, rebuilding: stats.rebuilding, count: stats.count };
    };

    /** Polls a receipt every 50 ms until it is no longer pending. */
    const waitReceipt = async (client: FacesearchClient, deletionId: string): Promise<DeletionReceipt> => {
      for (;;) {
        const r = await client.getDeletion(deletionId);
        if (r.status !== 'pending') return r;
        await sleep(50);
      }
    };

    // Where the time goes inside the product: the same provider instances the use cases call.
    const timings = new Timings();
    for (const [name, app] of [['gateway', gateway], ['indexer', indexer]] as const) {
      timings.wrap(`${name}.vectors`, app.get(VectorIndexClient, { strict: false }), ['remove', 'search', 'dropTenant']);
      timings.wrap(`${name}.erasure`, app.get(FaceErasureRepository, { strict: false }), ['retireAssets', 'eraseFaces', 'cancelIndexJobs', 'faceExists']);
      timings.wrap(`${name}.envelope`, app.get(EnvelopeService, { strict: false }), ['decryptMany']);
      timings.wrap(`${name}.audit`, app.get(AuditService, { strict: false }), ['record']);
      timings.wrap(`${name}.receipts`, app.get(DeletionRepository, { strict: false }), ['insert', 'addProgress', 'complete', 'get']);
    }
    timings.wrap('gateway.auditEvents', gateway.get(AuditEventRepository, { strict: false }), ['listAscending']);

    // --- (a) DELETE /v1/faces/{id}: unsearchable when the call returns? ---
    if (ONLY.has('faces') && FACES > 0 && DELETES > 0) {
      log(`(a) ${FACES} faces, ${DELETES} deletions through DELETE /v1/faces/{faceId}`);
      const { tenantId, admin } = await newTenant('bench faces');
      const integrator = new FacesearchClient({ baseUrl, apiKey: (await admin.createApiKey({ name: 'bench', role: 'integrator' })).key, maxRetries: 0, timeoutMs: 120_000 });
      const rand = prng(7);
      const picked = new Set<number>();
      while (picked.size < DELETES) picked.add(Math.floor(rand() * FACES));
      const seeded = await seedFaces(tenantId, FACES, 1, picked);
      log(`  seeded in ${seeded.seconds} s; loading the index`);
      const indexState = await loadIndex(tenantId, seeded.kept.values().next().value!, 'large', HNSW_WAIT_S);
      const snap0 = performance.now();
      await index.snapshot(tenantId);
      const snapshotMs = round(performance.now() - snap0);
      log(`  index ${indexState.kind} (${indexState.count} faces) ready after ${indexState.readySeconds} s; snapshot written in ${snapshotMs} ms; deleting`);

      const latencies: number[] = [];
      const searchAfterMs: number[] = [];
      const unsearchableAfterMs: number[] = [];
      let foundBefore = 0;
      let stillFound = 0;
      let neverGone = 0;
      let receiptsClean = 0;
      let snapshotsRewritten = 0;
      const errors: string[] = [];
      timings.reset();
      const t0 = performance.now();
      for (const i of picked) {
        const faceId = seeded.ids[i]!;
        const vector = seeded.kept.get(i)!;
        if ((await index.search(tenantId, vector, 10)).some((h) => h.faceId === faceId)) foundBefore++;
        const c0 = performance.now();
        let receipt: DeletionReceipt;
        try {
          receipt = await integrator.deleteFace(faceId);
        } catch (err) {
          errors.push((err as Error).message.slice(0, 200));
          continue;
        }
        const returned = performance.now();
        latencies.push(returned - c0);
        const found = (await index.search(tenantId, vector, 10)).some((h) => h.faceId === faceId);
        searchAfterMs.push(performance.now() - returned);
        if (receipt.status === 'completed' && receipt.verified.searchable === 0 && receipt.verified.checked === 1 && receipt.counts.faces === 1) receiptsClean++;
        snapshotsRewritten += receipt.counts.snapshotsRewritten;
        if (!found) {
          unsearchableAfterMs.push(0);
          continue;
        }
        stillFound++;
        // How long after the return it stays findable (capped at 5 s).
        let gone = false;
        while (performance.now() - returned < 5000) {
          await sleep(2);
          if (!(await index.search(tenantId, vector, 10)).some((h) => h.faceId === faceId)) {
            gone = true;
            break;
          }
        }
        unsearchableAfterMs.push(performance.now() - returned);
        if (!gone) neverGone++;
      }
      const seconds = (performance.now() - t0) / 1000;
      const deletedIds = [...picked].map((i) => seeded.ids[i]!);
      const [left] = (await owner.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE id = ANY($2::uuid[]))::int AS deleted FROM faces WHERE tenant_id = $1`, [tenantId, deletedIds])).rows as {
        n: number;
        deleted: number;
      }[];
      const after = await index.stats(tenantId);
      result.faceDeletion = {
        faces: FACES,
        deletions: latencies.length,
        errors: errors.length,
        firstErrors: errors.slice(0, 3),
        seedSeconds: seeded.seconds,
        index: { ...indexState, snapshotWriteMs: snapshotMs, after: { count: after.count, deleted: after.deleted, kind: after.kind, snapshotId: after.snapshotId ?? null } },
        deleteLatencyMs: summary(latencies),
        deletionsPerSec: round(latencies.length / seconds),
        foundBeforeDelete: foundBefore,
        unsearchableAtReturn: latencies.length ? round((latencies.length - stillFound) / latencies.length, 4) : null,
        stillFoundAtReturn: stillFound,
        neverUnsearchableWithin5s: neverGone,
        unsearchableAfterReturnMs: summary(unsearchableAfterMs),
        searchAfterReturnMs: summary(searchAfterMs),
        receiptsCompletedSearchable0Checked1: receiptsClean,
        snapshotsRewrittenTotal: snapshotsRewritten,
        database: { facesLeft: left!.n, deletedStillThere: left!.deleted },
        // Per deletion, the time spent in each wrapped product method (a call's remainder is HTTP, auth,
        // rate limit, transactions and the use case itself).
        perDeletionMs: timings.report(latencies.length),
        target: { unsearchableAtReturn: 1, p99AfterReturnMs: 100 },
      };
      log(`  p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms; still found at return: ${stillFound}/${latencies.length}`);
    }

    // --- (b) purge of a large tenant: DELETE /v1/face-data, DELETE /v1/tenants/{id} ---
    const purge = async (kind: 'faceData' | 'tenant', seed: number) => {
      log(`(b) ${kind}: seeding ${PURGE_FACES} faces`);
      const { tenantId, admin } = await newTenant(`bench purge ${kind}`);
      const seeded = await seedFaces(tenantId, PURGE_FACES, seed, new Set([0]));
      log(`  seeded in ${seeded.seconds} s`);
      let indexState: Record<string, unknown> = { loaded: false };
      if ((kind === 'faceData' ? PURGE_INDEX : TENANT_INDEX) === 'loaded' && PURGE_FACES > 0) {
        indexState = { loaded: true, ...(await loadIndex(tenantId, seeded.kept.get(0)!, 'ready', 0)) };
        log(`  index loaded in ${indexState.loadedSeconds as number} s (${indexState.kind as string}, rebuilding ${String(indexState.rebuilding)})`);
      }
      const [pgSize] = (await owner.query(`SELECT pg_total_relation_size('faces') AS bytes`)).rows as { bytes: string }[];
      timings.reset();
      const loadAtStart = load();
      const t0 = performance.now();
      const { deletionId } = kind === 'faceData' ? await admin.deleteFaceData() : await operator.deleteTenant(tenantId);
      const acceptedMs = performance.now() - t0;
      const receipt = await waitReceipt(kind === 'faceData' ? admin : operator, deletionId);
      const seconds = (performance.now() - t0) / 1000;
      const [left] = (await owner.query(`SELECT count(*)::int AS n FROM faces WHERE tenant_id = $1`, [tenantId])).rows as { n: number }[];
      const stats = await index.stats(tenantId);
      log(`  ${kind} purge: ${receipt.status} in ${round(seconds, 2)} s (${receipt.counts.faces} faces)`);
      return {
        faces: PURGE_FACES,
        seedSeconds: seeded.seconds,
        facesTableBytesMb: mb(Number(pgSize!.bytes)),
        index: indexState,
        acceptedMs: round(acceptedMs),
        secondsToCompleted: round(seconds, 2),
        serverSeconds: receipt.completedAt ? round((Date.parse(receipt.completedAt) - Date.parse(receipt.requestedAt)) / 1000, 2) : null,
        facesPerSec: round(PURGE_FACES / seconds),
        loadAtStart,
        receipt: { status: receipt.status, counts: receipt.counts, verified: receipt.verified },
        facesLeftInDatabase: left!.n,
        indexAfter: { state: stats.state, count: stats.count },
        timeInMs: timings.report(),
        target: { seconds: 30 },
      };
    };
    if (ONLY.has('purge')) result.faceDataPurge = await purge('faceData', 2);
    if (ONLY.has('tenant')) result.tenantPurge = await purge('tenant', 3);

    // --- (c) audit export of a long log ---
    if (ONLY.has('audit') && AUDIT_EVENTS > 0) {
      log(`(c) seeding ${AUDIT_EVENTS} audit events`);
      const { tenantId, admin } = await newTenant('bench audit');
      const auditorKey = (await admin.createApiKey({ name: 'bench-auditor', role: 'auditor' })).key;
      const actor = randomUUID();
      const s0 = performance.now();
      const CHUNK = 100_000;
      for (let done = 0; done < AUDIT_EVENTS; done += CHUNK) {
        const n = Math.min(CHUNK, AUDIT_EVENTS - done);
        // Realistic rows (search events with their details), chained by fake hashes: the export does not
        // verify the chain, and a real chain of a million events would take minutes to compute.
        await owner.query(
          `WITH h AS (SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1 FOR UPDATE),
                ins AS (
                  INSERT INTO audit_events (id, tenant_id, seq, at, actor_type, actor_key_id, actor_role, action, target_type, target_id, outcome, details, request_id, prev_hash, hash)
                  SELECT gen_random_uuid(), $1, h.seq + g, now() - make_interval(secs => ($3::int - g) * 0.01), 'apiKey', $2::uuid, 'integrator',
                         (ARRAY['search.faces_by_image', 'asset.index_requested', 'asset.indexed', 'search.faces_by_face', 'verify'])[1 + g % 5],
                         CASE WHEN g % 5 IN (1, 2) THEN 'asset' ELSE 'search' END,
                         CASE WHEN g % 5 IN (1, 2) THEN 'photo-' || (g / 3) ELSE NULL END,
                         'success',
                         jsonb_build_object('facesMatched', g % 7, 'captureHash', md5(g::text) || md5((g + 1)::text), 'latencyMs', 20 + g % 80),
                         'req-' || md5(g::text),
                         CASE WHEN g = 1 THEN h.hash ELSE md5((h.seq + g - 1)::text) || md5((h.seq + g)::text) END,
                         md5((h.seq + g)::text) || md5((h.seq + g + 1)::text)
                    FROM h, generate_series(1, $3::int) AS g
                  RETURNING seq)
           UPDATE audit_chain_heads SET seq = seq + $3::int, hash = md5((seq + $3::int)::text) || md5((seq + $3::int + 1)::text) WHERE tenant_id = $1 AND (SELECT count(*) FROM ins) = $3::int`,
          [tenantId, actor, n],
        );
        log(`  ${done + n}/${AUDIT_EVENTS} events`);
      }
      const seedSeconds = round((performance.now() - s0) / 1000, 2);
      await owner.query('ANALYZE audit_events');
      const [{ n: total }] = (await owner.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`, [tenantId])).rows as { n: number }[];

      const exportOnce = async (format: 'jsonl' | 'csv') => {
        timings.reset();
                const rssBefore = process.memoryUsage().rss;
        const samples: { at: number; rss: number; heap: number }[] = [];
        const sampler = setInterval(() => {
          const m = process.memoryUsage();
          samples.push({ at: performance.now(), rss: m.rss, heap: m.heapUsed });
        }, 100);
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/v1/audit-events/export?format=${format}`, { headers: { authorization: `Bearer ${auditorKey}` } });
        if (!res.ok || !res.body) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
        let firstByteMs: number | null = null;
        let bytes = 0;
        let lines = 0;
        const byTenth: number[] = [];
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          firstByteMs ??= performance.now() - t0;
          bytes += value.length;
          for (let i = value.indexOf(10); i >= 0; i = value.indexOf(10, i + 1)) lines++;
          // RSS when each tenth of the events has arrived: flat if the export streams.
          while (byTenth.length < 10 && lines >= ((byTenth.length + 1) * total) / 10) byTenth.push(mb(process.memoryUsage().rss));
        }
        const seconds = (performance.now() - t0) / 1000;
        clearInterval(sampler);
        const rss = samples.map((s) => s.rss);
        log(`  ${format}: ${lines} lines, ${mb(bytes)} MB in ${round(seconds, 2)} s; RSS ${mb(rssBefore)} → max ${mb(Math.max(rssBefore, ...rss))} MB`);
        return {
          seconds: round(seconds, 2),
          firstByteMs: firstByteMs === null ? null : round(firstByteMs),
          lines,
          megabytes: mb(bytes),
          eventsPerSec: round(lines / seconds),
          chainHeadHeader: res.headers.get('facesearch-chain-head') !== null,
          rssMb: { before: mb(rssBefore), max: mb(Math.max(rssBefore, ...rss)), min: mb(Math.min(rssBefore, ...rss)), atEachTenth: byTenth },
          heapUsedMaxMb: mb(Math.max(0, ...samples.map((s) => s.heap))),
          timeInMs: timings.report(),
          target: { seconds: 60 },
        };
      };
      log(`  ${total} events of the tenant in the database (seeded in ${seedSeconds} s); exporting`);
      result.auditExport = { events: total, seedSeconds, jsonl: await exportOnce('jsonl'), csv: await exportOnce('csv') };
    }

    const o = resolveVectorIndexOptions();
    result.vectorIndex = { largeIndex: config.vectorIndex.largeIndex, scanCandidates: o.scanCandidates, scanThreads: o.scanThreads, hnswlib, m: o.m, efConstruction: o.efConstruction, efSearch: o.efSearch, efSearchWide: o.efSearchWide, exactScanMax: o.exactScanMax, workerThreads: o.workerThreads };
    result.loadAverage = { before: loadBefore, after: load() };
    result.totalSeconds = round((Date.now() - started) / 1000);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await owner.end().catch(() => undefined);
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await dropBenchStack(stack);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
