import { accuracyAt, bestThreshold, crossValidatedAccuracy, type ScoredPair } from './verification-accuracy';
import { parseLfwPairs } from './lfw-pairs.parser';

describe('bestThreshold / accuracyAt', () => {
  it('separates perfectly separable pairs', () => {
    const pairs: ScoredPair[] = [0.9, 0.8, 0.7].map((s) => ({ fold: 0, same: true, similarity: s })).concat(
      [0.1, 0.2, 0.3].map((s) => ({ fold: 0, same: false, similarity: s })),
    );
    const t = bestThreshold(pairs);
    expect(t).toBeCloseTo(0.5, 6);
    expect(accuracyAt(pairs, t)).toBe(1);
  });

  it('finds the best cut when classes overlap', () => {
    const pairs: ScoredPair[] = [
      { fold: 0, same: true, similarity: 0.6 },
      { fold: 0, same: false, similarity: 0.55 },
      { fold: 0, same: true, similarity: 0.5 },
      { fold: 0, same: true, similarity: 0.45 },
      { fold: 0, same: false, similarity: 0.1 },
    ];
    expect(accuracyAt(pairs, bestThreshold(pairs))).toBeCloseTo(0.8, 6);
  });
});

describe('crossValidatedAccuracy', () => {
  it('tests each fold with the threshold of the others', () => {
    // Fold 1 alone would want a very different threshold: held out, it is judged by folds 0 and 2's.
    const fold = (f: number, same: number[], diff: number[]) => [
      ...same.map((s) => ({ fold: f, same: true, similarity: s })),
      ...diff.map((s) => ({ fold: f, same: false, similarity: s })),
    ];
    const pairs = [...fold(0, [0.6, 0.7], [0.1, 0.2]), ...fold(1, [0.95, 0.9], [0.8, 0.85]), ...fold(2, [0.65, 0.75], [0.15, 0.25])];
    const result = crossValidatedAccuracy(pairs, 3);
    expect(result.accuracy).toBeCloseTo((1 + 0.5 + 1) / 3, 6);
    expect(result.accuracyStd).toBeGreaterThan(0);
  });
});

describe('parseLfwPairs', () => {
  it('reads folds of matched then mismatched lines', () => {
    const text = '2\t1\nAl_Gore\t1\t2\nAl_Gore\t3\tBo_Ek\t4\nCy_Yu 1 12\nDi_Ox 2 Cy_Yu 3\n';
    const { folds, pairs } = parseLfwPairs(text);
    expect(folds).toBe(2);
    expect(pairs).toEqual([
      { fold: 0, same: true, a: 'Al_Gore/Al_Gore_0001.jpg', b: 'Al_Gore/Al_Gore_0002.jpg' },
      { fold: 0, same: false, a: 'Al_Gore/Al_Gore_0003.jpg', b: 'Bo_Ek/Bo_Ek_0004.jpg' },
      { fold: 1, same: true, a: 'Cy_Yu/Cy_Yu_0001.jpg', b: 'Cy_Yu/Cy_Yu_0012.jpg' },
      { fold: 1, same: false, a: 'Di_Ox/Di_Ox_0002.jpg', b: 'Cy_Yu/Cy_Yu_0003.jpg' },
    ]);
  });

  it('refuses a file whose line count does not match its header', () => {
    expect(() => parseLfwPairs('2\t1\nAl_Gore\t1\t2\n')).toThrow(/expected 4/);
  });
});
