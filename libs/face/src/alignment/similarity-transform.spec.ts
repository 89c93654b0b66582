import { applyAffine, affineScale, estimateSimilarity, invertAffine } from './similarity-transform';

const TEMPLATE = [38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041];

/** Rotates by `angle`, scales by `scale`, then translates. */
function similar(points: number[], angle: number, scale: number, tx: number, ty: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const [x, y] = [points[i]!, points[i + 1]!];
    out.push(scale * (Math.cos(angle) * x - Math.sin(angle) * y) + tx, scale * (Math.sin(angle) * x + Math.cos(angle) * y) + ty);
  }
  return out;
}

describe('estimateSimilarity (Umeyama, least squares)', () => {
  it('recovers an exact similarity', () => {
    const face = similar(TEMPLATE, 0.3, 2.5, 140, -20);
    const m = estimateSimilarity(face, TEMPLATE);
    expect(affineScale(m)).toBeCloseTo(1 / 2.5, 6);
    for (let i = 0; i < 10; i += 2) {
      const [x, y] = applyAffine(m, face[i]!, face[i + 1]!);
      expect(x).toBeCloseTo(TEMPLATE[i]!, 6);
      expect(y).toBeCloseTo(TEMPLATE[i + 1]!, 6);
    }
  });

  it('never reflects: a mirrored face is rotated, not flipped', () => {
    const mirrored = TEMPLATE.map((v, i) => (i % 2 === 0 ? 112 - v : v));
    const [a, b, , c, d] = estimateSimilarity(mirrored, TEMPLATE);
    expect(a * d - b * c).toBeGreaterThan(0);
  });

  it('is the least-squares fit under noise: no better similarity exists nearby', () => {
    const noisy = similar(TEMPLATE, -0.1, 1.7, 30, 40).map((v, i) => v + [0.8, -1.1, 0.3, 0.9, -0.7, 0.2, 1.2, -0.4, -0.6, 0.5][i]!);
    const residual = (m: readonly number[]) => {
      let sum = 0;
      for (let i = 0; i < 10; i += 2) {
        const x = m[0]! * noisy[i]! + m[1]! * noisy[i + 1]! + m[2]!;
        const y = m[3]! * noisy[i]! + m[4]! * noisy[i + 1]! + m[5]!;
        sum += (x - TEMPLATE[i]!) ** 2 + (y - TEMPLATE[i + 1]!) ** 2;
      }
      return sum;
    };
    const best = estimateSimilarity(noisy, TEMPLATE);
    const base = residual(best);
    // Perturb the similarity's parameters (a, b, tx, ty): every neighbour fits worse.
    for (const [da, db, dx, dy] of [[1e-3, 0, 0, 0], [-1e-3, 0, 0, 0], [0, 1e-3, 0, 0], [0, -1e-3, 0, 0], [0, 0, 0.05, 0], [0, 0, 0, -0.05]]) {
      const [a, nb, tx, b, , ty] = best;
      const m = [a + da!, nb - db!, tx + dx!, b + db!, a + da!, ty + dy!];
      expect(residual(m)).toBeGreaterThan(base);
    }
  });

  it('inverts', () => {
    const m = estimateSimilarity(similar(TEMPLATE, 1, 0.5, 3, 4), TEMPLATE);
    const [x, y] = applyAffine(invertAffine(m), ...applyAffine(m, 17, -5));
    expect(x).toBeCloseTo(17, 9);
    expect(y).toBeCloseTo(-5, 9);
  });

  it('refuses degenerate input', () => {
    expect(() => estimateSimilarity([1, 1, 1, 1], [0, 0, 1, 1])).toThrow(/coincide/);
    expect(() => estimateSimilarity([1, 1], [0, 0])).toThrow();
  });
});
