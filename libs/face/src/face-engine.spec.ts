import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describeWithPhotos, deepface, ensureTestModels, lfw } from './testing/face-models.fixture';
import { pngHeaderOnly } from './testing/image-bytes.fixture';
import { cosineSimilarity, crossValidatedAccuracy, type FaceAnalysis, FaceEngine, FaceError, parseLfwPairs, type ScoredPair } from './index';
import { YUNET_ARCFACE_V1 } from './models/builtin-manifests';

// Best threshold of the full lfw-dev evaluation (bench/eval-pairs.ts) for this model set, rounded.
const MATCH_THRESHOLD = 0.27;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FaceError);
  return (error as FaceError).code;
}

function csv(file: string): string[][] {
  return readFileSync(deepface(file), 'utf8').trim().split(/\r?\n/).slice(1).map((line) => line.split(','));
}

/** The first `perClass` matched and mismatched pairs of every fold of lfw-dev. */
function lfwSample(perClass: number) {
  const text = readFileSync(lfw('pairs.txt'), 'utf8');
  const { folds, pairs } = parseLfwPairs(text);
  const perFold = pairs.length / folds / 2;
  return { folds, pairs: pairs.filter((_, i) => i % perFold < perClass) };
}

describeWithPhotos('FaceEngine on real photos (yunet-arcface-v1)', () => {
  let engine: FaceEngine;
  const analyses = new Map<string, FaceAnalysis>();

  beforeAll(async () => {
    engine = await FaceEngine.create({ modelsDir: ensureTestModels(), poolSize: 2 });
    const files = csv('labels.csv').map(([file]) => file!);
    await Promise.all([...files, 'couple.jpg'].map(async (file) => analyses.set(file, await engine.analyze(readFileSync(deepface(file))))));
  }, 120_000);

  afterAll(() => engine?.close());

  it('records the model set on every result', () => {
    expect(engine.info).toMatchObject({ id: 'yunet-arcface-v1', version: '1.0.0', embeddingDimension: 512, poolSize: 2, jpegDecoder: 'libjpeg' });
    expect(engine.info.pixels).toMatch(/^libjpeg \d+$/);
    expect(analyses.get('img1.jpg')!.modelSet).toEqual({ id: 'yunet-arcface-v1', version: '1.0.0' });
  });

  it('finds exactly one face in every labelled deepface photo (default quality filter)', () => {
    const wrong = csv('labels.csv').map(([file]) => [file!, analyses.get(file!)!.faces.length] as const).filter(([, n]) => n !== 1);
    expect(wrong).toEqual([]);
  });

  it('finds both faces of couple.jpg and all 7 of selfie-many-people.jpg (2 cut by the frame)', async () => {
    expect(analyses.get('couple.jpg')!.faces).toHaveLength(2);
    const selfie = await engine.analyze(readFileSync(deepface('selfie-many-people.jpg')), { qualityFilter: 'none' });
    expect(selfie.faces).toHaveLength(7);
    // The default filter keeps the whole faces and says why the others were left out.
    const filtered = await engine.analyze(readFileSync(deepface('selfie-many-people.jpg')));
    expect(filtered.faces.length + filtered.unindexed.length).toBe(7);
    expect(filtered.faces.length).toBeGreaterThanOrEqual(4);
    expect(filtered.unindexed.every((u) => u.reason === 'low_confidence')).toBe(true);
  });

  it('separates identities on master.csv: >= 95% of pairs on the right side of the threshold', () => {
    const rows = csv('master.csv');
    const correct = rows.filter(([x, y, decision]) => {
      const similarity = cosineSimilarity(analyses.get(x!)!.faces[0]!.embedding, analyses.get(y!)!.faces[0]!.embedding);
      return (similarity > MATCH_THRESHOLD) === (decision === 'Yes');
    });
    expect(rows.length).toBeGreaterThan(250);
    expect(correct.length / rows.length).toBeGreaterThanOrEqual(0.95);
  });

  it('returns unit-length embeddings, boxes within the image and five landmarks inside the box', () => {
    for (const analysis of analyses.values()) {
      for (const face of analysis.faces) {
        expect(Math.sqrt(face.embedding.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 4);
        const { left, top, width, height } = face.box;
        expect(Math.min(left, top, width, height)).toBeGreaterThanOrEqual(0);
        expect(left + width).toBeLessThanOrEqual(1 + 1e-9);
        expect(top + height).toBeLessThanOrEqual(1 + 1e-9);
        expect(face.landmarks).toHaveLength(5);
        for (const p of face.landmarks) {
          expect(p.x).toBeGreaterThan(face.boxPx.x);
          expect(p.x).toBeLessThan(face.boxPx.x + face.boxPx.width);
        }
        // Image-left eye first.
        expect(face.landmarks[0]!.x).toBeLessThan(face.landmarks[1]!.x);
      }
    }
  });

  it('verifies LFW pairs on a sample of every fold (full run: npm run eval:pairs)', async () => {
    const { folds, pairs } = lfwSample(20);
    const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const embeddings = new Map<string, Float32Array>();
    await Promise.all(images.map(async (path) => {
      const analysis = await engine.analyze(readFileSync(lfw(path)), { qualityFilter: 'none' });
      const centre = (f: FaceAnalysis['faces'][number]) => Math.hypot(f.box.left + f.box.width / 2 - 0.5, f.box.top + f.box.height / 2 - 0.5);
      embeddings.set(path, [...analysis.faces].sort((a, b) => centre(a) - centre(b))[0]!.embedding);
    }));
    const scored: ScoredPair[] = pairs.map((p) => ({ fold: p.fold, same: p.same, similarity: cosineSimilarity(embeddings.get(p.a)!, embeddings.get(p.b)!) }));
    expect(pairs).toHaveLength(200);
    expect(crossValidatedAccuracy(scored, folds).accuracy).toBeGreaterThanOrEqual(0.97);
  }, 60_000);

  it('reads the content, not the name: img47.jpg is WebP', () => {
    expect(analyses.get('img47.jpg')).toMatchObject({ format: 'webp', width: 1350, height: 1800 });
  });

  it('hashes the input bytes and leaves the caller\'s buffer as it was', async () => {
    const bytes = readFileSync(deepface('img67.jpg'));
    const before = Buffer.from(bytes);
    const analysis = await engine.analyze(bytes);
    expect(analysis.contentSha256).toBe(createHash('sha256').update(before).digest('hex'));
    expect(bytes.equals(before)).toBe(true);
  });

  it('reports boxes on the image as displayed when EXIF says to rotate it', async () => {
    const upright = readFileSync(deepface('img67.jpg'));
    // Pixels stored turned 90° anticlockwise, tagged "rotate 90° clockwise to display" (orientation 6).
    const stored = await sharp(upright).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const [a, b] = await Promise.all([engine.analyze(upright), engine.analyze(stored)]);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    expect(b.faces).toHaveLength(1);
    const [fa, fb] = [a.faces[0]!, b.faces[0]!];
    expect(Math.abs(fa.box.left - fb.box.left)).toBeLessThan(0.02);
    expect(Math.abs(fa.box.top - fb.box.top)).toBeLessThan(0.02);
    expect(cosineSimilarity(fa.embedding, fb.embedding)).toBeGreaterThan(0.9);
  });

  it('embeds at most maxFaces, largest first, and reports the rest as exceeds_max_faces', async () => {
    const analysis = await engine.analyze(readFileSync(deepface('selfie-many-people.jpg')), { qualityFilter: 'none', maxFaces: 3 });
    expect(analysis.faces).toHaveLength(3);
    expect(analysis.unindexed.filter((u) => u.reason === 'exceeds_max_faces')).toHaveLength(4);
    const sizes = analysis.faces.map((f) => f.quality.size);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
  });

  it('reports faces under the minimum size as too_small', async () => {
    const analysis = await engine.analyze(readFileSync(deepface('couple.jpg')), { minFaceSize: 5000 });
    expect(analysis.faces).toHaveLength(0);
    expect(analysis.unindexed.map((u) => u.reason)).toEqual(['too_small', 'too_small']);
  });

  it('gives each of many concurrent calls its own result (the pool queues jobs two deep per worker)', async () => {
    const files = ['img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg', 'img5.jpg', 'img6.jpg', 'img7.jpg'];
    const inputs = files.map((file) => readFileSync(deepface(file)));
    const truncated = inputs[3]!.subarray(0, inputs[3]!.length >> 1);
    const settled = await Promise.allSettled([...inputs, truncated].map((bytes) => engine.analyze(bytes)));
    const hashes = settled.map((r) => (r.status === 'fulfilled' ? r.value.contentSha256 : (r.reason as FaceError).code));
    expect(hashes).toEqual([...inputs.map((b) => createHash('sha256').update(b).digest('hex')), 'corrupt_image']);
    for (const [i, file] of files.entries()) {
      const result = (settled[i] as PromiseFulfilledResult<FaceAnalysis>).value;
      expect(cosineSimilarity(result.faces[0]!.embedding, analyses.get(file)!.faces[0]!.embedding)).toBeGreaterThan(0.999);
    }
  });

  it('answers each bad input of API.md with its code, and keeps working', async () => {
    const jpeg = readFileSync(deepface('img67.jpg'));
    expect(await codeOf(engine.analyze(jpeg.subarray(0, jpeg.length >> 1)))).toBe('corrupt_image');
    expect(await codeOf(engine.analyze(new Uint8Array(0)))).toBe('corrupt_image');
    expect(await codeOf(engine.analyze(Buffer.from('a plain text file\n')))).toBe('unsupported_format');
    expect(await codeOf(engine.analyze(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')))).toBe('unsupported_format');
    expect(await codeOf(engine.analyze(new Uint8Array(21 * 1024 * 1024).fill(0xff)))).toBe('too_large');
    expect(await codeOf(engine.analyze(pngHeaderOnly(30000, 30000)))).toBe('too_many_pixels');
    expect(await codeOf(engine.analyze(jpeg, { maxFaces: 0 }))).toBe('invalid_options');
    expect(await codeOf(engine.analyze(jpeg, { qualityFilter: 'ultra' as never }))).toBe('invalid_options');
    expect((await engine.analyze(jpeg)).faces).toHaveLength(1);
  });
});

describeWithPhotos('FaceEngine model sets', () => {
  it('swaps to faceplugin-v1 without code changes and still verifies identities', async () => {
    const engine = await FaceEngine.create({ modelsDir: ensureTestModels(), modelSet: 'faceplugin-v1' });
    try {
      const embed = async (path: string) => (await engine.analyze(readFileSync(lfw(path)), { qualityFilter: 'none' })).faces[0]!;
      const { pairs } = lfwSample(4);
      const scored = await Promise.all(pairs.map(async (p) => ({ same: p.same, similarity: cosineSimilarity((await embed(p.a)).embedding, (await embed(p.b)).embedding) })));
      const right = scored.filter((s) => (s.similarity > MATCH_THRESHOLD) === s.same).length;
      expect(right / scored.length).toBeGreaterThanOrEqual(0.95);
      const analysis = await engine.analyze(readFileSync(deepface('img1.jpg')));
      expect(analysis.modelSet).toEqual({ id: 'faceplugin-v1', version: '1.0.0' });
      expect(analysis.faces).toHaveLength(1);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('refuses to start on a model file whose hash is not the manifest\'s', async () => {
    const modelsDir = ensureTestModels();
    const dir = mkdtempSync(join(tmpdir(), 'face-operator-'));
    const manifest = {
      ...YUNET_ARCFACE_V1,
      id: 'tampered',
      detector: { ...YUNET_ARCFACE_V1.detector, file: join(modelsDir, YUNET_ARCFACE_V1.detector.file) },
      // The embedder file is genuine, but the manifest pins another model's hash.
      embedder: { ...YUNET_ARCFACE_V1.embedder, file: join(modelsDir, 'fr_feature.onnx'), sha256: YUNET_ARCFACE_V1.detector.sha256 },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    expect(await codeOf(FaceEngine.create({ modelsDir, manifestPath: join(dir, 'manifest.json') }))).toBe('model_hash_mismatch');
  });

  it('gives the same analysis with JPEG decoded by sharp as by the native path (same pixels, same embeddings)', async () => {
    const viaSharp = await FaceEngine.create({ modelsDir: ensureTestModels(), poolSize: 1, jpegDecoder: 'sharp' });
    const native = await FaceEngine.create({ modelsDir: ensureTestModels(), poolSize: 1 });
    try {
      expect(viaSharp.info.jpegDecoder).toBe('sharp');
      const bytes = readFileSync(lfw('Aaron_Patterson/Aaron_Patterson_0001.jpg'));
      const [a, b] = await Promise.all([viaSharp.analyze(bytes), native.analyze(bytes)]);
      expect(a.faces.length).toBeGreaterThan(0);
      expect(b.faces.map((f) => [f.boxPx, f.quality, Array.from(f.embedding)])).toEqual(a.faces.map((f) => [f.boxPx, f.quality, Array.from(f.embedding)]));
    } finally {
      await Promise.all([viaSharp.close(), native.close()]);
    }
  });

  it('refuses an unknown jpegDecoder', async () => {
    expect(await codeOf(FaceEngine.create({ modelsDir: ensureTestModels(), jpegDecoder: 'pil' as never }))).toBe('invalid_options');
  });

  it('when a worker dies, fails the image it was analysing and sends the one waiting behind it again', async () => {
    const engine = await FaceEngine.create({ modelsDir: ensureTestModels(), poolSize: 1 });
    try {
      const [first, second] = [readFileSync(deepface('img1.jpg')), readFileSync(deepface('img2.jpg'))];
      const results = Promise.allSettled([engine.analyze(first), engine.analyze(second)]);
      // Both are in the one worker now (two deep); it dies before answering either.
      const pool = (engine as unknown as { pool: { slots: { worker: { terminate(): Promise<number> } }[] } }).pool;
      await pool.slots[0]!.worker.terminate();
      const [a, b] = await results;
      expect(a).toMatchObject({ status: 'rejected', reason: { code: 'engine_unavailable' } });
      expect(b.status).toBe('fulfilled');
      expect((b as PromiseFulfilledResult<FaceAnalysis>).value.contentSha256).toBe(createHash('sha256').update(second).digest('hex'));
      // The replacement worker serves what comes next.
      expect((await engine.analyze(first)).faces).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });

  it('is closed for business after close()', async () => {
    const engine = await FaceEngine.create({ modelsDir: ensureTestModels() });
    await engine.close();
    expect(await codeOf(engine.analyze(readFileSync(deepface('img67.jpg'))))).toBe('engine_unavailable');
  });
});
