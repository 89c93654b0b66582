/**
 * End to end with the SDK: a new tenant, an integrator key, every photo of a folder indexed, one
 * photo searched, one matching asset's faces deleted (its receipt printed, and the same search run
 * again to show the asset is no longer found), and the tenant deleted again (its receipt printed).
 *
 *   FACESEARCH_URL=http://127.0.0.1:3000 FACESEARCH_OPERATOR_TOKEN=... \
 *     node --require ./infra/scripts/swc-register.cjs examples/index-and-search.ts
 *
 * Optional: PHOTOS_DIR (default ../shared/faces/deepface beside the checkout), QUERY_PHOTO (default
 * img1.jpg), KEEP_TENANT=1 to keep the tenant for a look around.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
// Outside this monorepo: import { … } from '@facesearch/sdk';
import { FacesearchClient, FacesearchError, FacesearchImageTooLargeError, FacesearchNetworkError, FacesearchNotFoundError, type IndexJob, type QueryFace } from '@app/sdk';

const IMAGE_FILE = /\.(jpe?g|png|webp|avif|tiff?|gif)$/i;
const CONCURRENCY = 4;

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see examples/README.md).`);
    process.exit(2);
  }
  return value;
}

/** Asset ids are 1-200 characters of A-Za-z0-9._:- : a file name with other characters is adapted. */
const assetIdOf = (file: string) => file.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 200);

/** The asset to delete: the best match that is not the query photo itself, else the query photo. */
function assetToDelete(queryFaces: readonly QueryFace[], queryAsset: string): string | undefined {
  const matches = queryFaces.flatMap((q) => q.matches);
  return matches.find((m) => m.assetId !== queryAsset)?.assetId ?? matches[0]?.assetId;
}

/** Runs `work` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const baseUrl = env('FACESEARCH_URL');
  const operator = new FacesearchClient({ baseUrl, apiKey: env('FACESEARCH_OPERATOR_TOKEN'), userAgent: 'facesearch-example/1' });
  const photosDir = resolve(process.env.PHOTOS_DIR ?? join(__dirname, '..', '..', 'shared', 'faces', 'deepface'));
  const files = (await readdir(photosDir)).filter((f) => IMAGE_FILE.test(f)).sort();
  if (files.length === 0) throw new Error(`No photos in ${photosDir}`);

  // 1. A tenant of its own (operator), and an integrator key (the tenant's admin).
  const { tenantId, adminApiKey } = await operator.createTenant({ name: `SDK example ${new Date().toISOString()}`, retentionDays: 1 });
  console.log(`tenant ${tenantId} created`);
  try {
    const admin = new FacesearchClient({ baseUrl, apiKey: adminApiKey });
    const { key } = await admin.createApiKey({ name: 'example-integrator', role: 'integrator' });
    const dam = new FacesearchClient({ baseUrl, apiKey: key });

    // 2. Index every photo: upload, then wait for its job, four at a time.
    console.log(`indexing ${files.length} photos from ${photosDir} (${CONCURRENCY} at a time)…`);
    const started = Date.now();
    const results = await mapLimit(files, CONCURRENCY, async (file): Promise<{ file: string; job?: IndexJob; refused?: string }> => {
      try {
        const accepted = await dam.indexAsset(assetIdOf(file), { path: join(photosDir, file) });
        return { file, job: await dam.waitForJob(accepted.jobId, { intervalMs: 500, timeoutMs: 5 * 60_000 }) };
      } catch (err) {
        // One photo the API refuses (too large, a bad id…) does not stop the others.
        if (err instanceof FacesearchError || err instanceof FacesearchImageTooLargeError) return { file, refused: err.message };
        throw err;
      }
    });
    const completed = results.filter((r) => r.job?.status === 'completed');
    const faces = completed.reduce((n, r) => n + (r.job?.facesIndexed ?? 0), 0);
    console.log(`${completed.length}/${files.length} photos indexed, ${faces} faces, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const { file, job, refused } of results) {
      if (refused) console.log(`  ${file}: refused (${refused})`);
      else if (job?.status === 'failed') console.log(`  ${file}: failed (${job.error?.code}: ${job.error?.detail})`);
      else if (job?.facesIndexed === 0) console.log(`  ${file}: no usable face${job.unindexedFaces.length ? ` (${job.unindexedFaces.map((u) => u.reason).join(', ')})` : ''}`);
      else if (job && job.facesIndexed > 1) console.log(`  ${file}: ${job.facesIndexed} faces`);
    }

    // 3. Where else does the person of one photo appear?
    const query = process.env.QUERY_PHOTO ?? 'img1.jpg';
    const { queryFaces } = await dam.searchFacesByImage({ path: join(photosDir, query) }, { maxResults: 10 });
    console.log(`\nsearching with ${query}:`);
    for (const q of queryFaces) {
      const b = q.boundingBox;
      console.log(`  face at left ${b.left}, top ${b.top} (${b.width} x ${b.height}), ${q.matches.length} matches:`);
      for (const m of q.matches) console.log(`    ${m.similarity.toFixed(3)}  ${m.assetId}${m.assetId === assetIdOf(query) ? ' (the query photo itself)' : ''}  face ${m.faceId}`);
    }

    // 4. Delete one asset's faces. When the call returns (200) they can no longer be found: the receipt
    //    says what went, and how many deleted embeddings the service searched its index for afterwards.
    const target = assetToDelete(queryFaces, assetIdOf(query));
    if (target === undefined) {
      console.log('\nno match to delete');
    } else {
      try {
        const deletion = await dam.deleteAssetFaces(target);
        // (Labelled without "receipt:", which marks the tenant's receipt below for apps/gateway/test/sdk.e2e-spec.ts.)
        console.log(`\nasset ${target}: ${deletion.counts.faces} face(s) deleted, ${deletion.verified.searchable} of ${deletion.verified.checked} still searchable (receipt ${deletion.deletionId})`);
        console.log(JSON.stringify(deletion, null, 2));
      } catch (err) {
        // A retried call whose first attempt did the deletion (its answer lost) gets 404: gone either way.
        if (!(err instanceof FacesearchNotFoundError && err.attempts > 1)) throw err;
        console.log(`\nasset ${target}: deleted (the answer to the first attempt was lost)`);
      }
      const again = await dam.searchFacesByImage({ path: join(photosDir, query) }, { maxResults: 10 });
      const found = again.queryFaces.flatMap((q) => q.matches);
      if (found.some((m) => m.assetId === target)) throw new Error(`${target} is still found after its deletion`);
      console.log(`searching with ${query} again: ${found.length} matches, ${target} no longer among them (${found.map((m) => m.assetId).join(', ') || 'none'})`);
    }
  } finally {
    // 5. The tenant goes, whatever happened above: keys revoked at once, data purged in the background.
    if (process.env.KEEP_TENANT) {
      console.log(`\nkept tenant ${tenantId}; admin key ${adminApiKey}`);
    } else {
      const { deletionId } = await operator.deleteTenant(tenantId);
      const receipt = await operator.waitForDeletion(deletionId, { intervalMs: 500, timeoutMs: 5 * 60_000 });
      console.log(`\ntenant ${tenantId} deleted; receipt:`);
      console.log(JSON.stringify(receipt, null, 2));
    }
  }
}

main().catch((err: unknown) => {
  if (err instanceof FacesearchError) {
    console.error(`${err.message}${err.fieldErrors.length ? `\n  ${JSON.stringify(err.fieldErrors)}` : ''}`);
  } else if (err instanceof FacesearchNetworkError) {
    console.error(`${err.message}: is the gateway running at ${process.env.FACESEARCH_URL}?`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
