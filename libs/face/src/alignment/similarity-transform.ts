/** A 2x3 affine matrix [a, b, tx; c, d, ty] mapping (x, y) to (a x + b y + tx, c x + d y + ty). */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * Least-squares similarity (rotation, uniform scale, translation) taking `from` onto `to`: Umeyama's
 * estimate, which in 2-D without reflection has this closed form. Points are flat [x0, y0, x1, y1, ...].
 */
export function estimateSimilarity(from: ArrayLike<number>, to: ArrayLike<number>): Affine {
  const n = from.length / 2;
  if (n < 2 || to.length !== from.length) throw new Error('estimateSimilarity needs two equal lists of at least 2 points');
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i]!;
    fy += from[2 * i + 1]!;
    tx += to[2 * i]!;
    ty += to[2 * i + 1]!;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i]! - fx, y = from[2 * i + 1]! - fy;
    const u = to[2 * i]! - tx, v = to[2 * i + 1]! - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new Error('estimateSimilarity: the source points coincide');
  // Rotation by angle θ and scale s: a = s cos θ, b = s sin θ.
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

export function invertAffine([a, b, tx, c, d, ty]: Affine): Affine {
  const det = a * d - b * c;
  if (det === 0) throw new Error('invertAffine: singular matrix');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/** The uniform scale of a similarity (output pixels per input pixel). */
export const affineScale = ([a, , , c]: Affine): number => Math.hypot(a, c);

export function applyAffine([a, b, tx, c, d, ty]: Affine, x: number, y: number): [number, number] {
  return [a * x + b * y + tx, c * x + d * y + ty];
}
