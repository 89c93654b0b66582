// Face verification accuracy of the production code path on an LFW-format pairs file.
//   npm run eval:pairs -- --pairs ../shared/faces/lfw-dev/pairs.txt --root ../shared/faces/lfw-dev
// Options: --model-set <id> | --manifest <file>, --models-dir <dir> (default .cache/models), --pool <n>
// (worker threads, default 1). Prints one JSON line:
//   {pairs, folds, accuracy, accuracyStd, threshold, noFace, msPerImage, modelSet}
// accuracy: mean over folds, each fold's threshold chosen on the other folds; threshold: best on all
// pairs; noFace: images where no face was found (their pairs count as "different"); msPerImage: wall
// time per image through the engine (all workers together).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type AnalyzedFace, cosineSimilarity, crossValidatedAccuracy, type FaceAnalysis, FaceEngine, parseLfwPairs, type ScoredPair } from '@app/face';
import { round } from './stats';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string' },
    root: { type: 'string' },
    'model-set': { type: 'string' },
    manifest: { type: 'string' },
    'models-dir': { type: 'string', default: resolve(__dirname, '../.cache/models') },
    pool: { type: 'string', default: '1' },
  },
});

/** The detected face nearest the image centre (LFW's subject), whatever its quality. */
function centralFace(analysis: FaceAnalysis): AnalyzedFace | undefined {
  const distance = (f: AnalyzedFace) => Math.hypot(f.box.left + f.box.width / 2 - 0.5, f.box.top + f.box.height / 2 - 0.5);
  return [...analysis.faces].sort((a, b) => distance(a) - distance(b))[0];
}

async function main(): Promise<void> {
  if (!args.pairs || !args.root) throw new Error('usage: eval-pairs --pairs <pairs.txt> --root <image dir> [--model-set id | --manifest file] [--pool n]');
  const { folds, pairs } = parseLfwPairs(readFileSync(args.pairs, 'utf8'));
  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const engine = await FaceEngine.create({
    modelsDir: args['models-dir']!,
    modelSet: args['model-set'],
    manifestPath: args.manifest,
    poolSize: Number(args.pool),
  });
  const embeddings = new Map<string, Float32Array | undefined>();
  try {
    const started = performance.now();
    let done = 0;
    // Keep every worker busy without queueing thousands of images at once.
    const queue = [...images];
    const lane = async () => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        const analysis = await engine.analyze(readFileSync(resolve(args.root!, path)), { qualityFilter: 'none', maxFaces: 1000 });
        embeddings.set(path, centralFace(analysis)?.embedding);
        if (++done % 500 === 0) process.stderr.write(`${done}/${images.length} images\n`);
      }
    };
    await Promise.all(Array.from({ length: engine.info.poolSize * 2 }, lane));
    const msPerImage = (performance.now() - started) / images.length;

    const scored: ScoredPair[] = pairs.map((p) => {
      const a = embeddings.get(p.a), b = embeddings.get(p.b);
      return { fold: p.fold, same: p.same, similarity: a && b ? cosineSimilarity(a, b) : -1 };
    });
    const result = crossValidatedAccuracy(scored, folds);
    console.log(JSON.stringify({
      pairs: pairs.length,
      folds,
      accuracy: round(result.accuracy, 5),
      accuracyStd: round(result.accuracyStd, 5),
      threshold: round(result.threshold, 4),
      noFace: [...embeddings.values()].filter((e) => !e).length,
      msPerImage: round(msPerImage, 2),
      modelSet: `${engine.info.id}@${engine.info.version}`,
    }));
  } finally {
    await engine.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
