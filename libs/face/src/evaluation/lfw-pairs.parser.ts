export interface ImagePair {
  readonly fold: number;
  readonly same: boolean;
  /** Image paths relative to the root: `<name>/<name>_<iiii>.jpg`. */
  readonly a: string;
  readonly b: string;
}

export interface PairsFile {
  readonly folds: number;
  readonly pairs: readonly ImagePair[];
}

const imagePath = (name: string, index: string): string => `${name}/${name}_${index.padStart(4, '0')}.jpg`;

/**
 * LFW's pairs format: a header `folds<TAB>n`, then per fold n matched lines `name i j` followed by
 * n mismatched lines `name1 i name2 j`.
 */
export function parseLfwPairs(text: string): PairsFile {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const [foldsText, perFoldText] = (lines.shift() ?? '').split(/\s+/);
  const folds = Number(foldsText), perFold = Number(perFoldText);
  if (!Number.isInteger(folds) || !Number.isInteger(perFold) || folds < 2 || perFold < 1) {
    throw new Error('pairs file: the first line must be "<folds> <pairs per class and fold>" with at least 2 folds');
  }
  if (lines.length !== folds * perFold * 2) throw new Error(`pairs file: expected ${folds * perFold * 2} pair lines, found ${lines.length}`);
  const pairs = lines.map((line, i): ImagePair => {
    const fold = Math.floor(i / (2 * perFold));
    const same = i % (2 * perFold) < perFold;
    const f = line.split(/\s+/);
    if (same && f.length === 3) return { fold, same, a: imagePath(f[0]!, f[1]!), b: imagePath(f[0]!, f[2]!) };
    if (!same && f.length === 4) return { fold, same, a: imagePath(f[0]!, f[1]!), b: imagePath(f[2]!, f[3]!) };
    throw new Error(`pairs file line ${i + 2}: expected ${same ? '"name i j"' : '"name1 i name2 j"'}`);
  });
  return { folds, pairs };
}
