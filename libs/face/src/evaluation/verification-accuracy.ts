export interface ScoredPair {
  readonly fold: number;
  readonly same: boolean;
  readonly similarity: number;
}

export interface VerificationResult {
  /** Mean over folds of the held-out accuracy, the threshold of each fold chosen on the others. */
  readonly accuracy: number;
  readonly accuracyStd: number;
  /** The threshold that is best on all pairs (what a deployment would use). */
  readonly threshold: number;
  readonly foldThresholds: readonly number[];
}

/** The threshold (midpoint between neighbouring similarities) with the best accuracy on `pairs`. */
export function bestThreshold(pairs: readonly ScoredPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.similarity - b.similarity);
  // Threshold below every pair: all predicted "same".
  let correct = sorted.filter((p) => p.same).length;
  let best = correct;
  let threshold = (sorted[0]?.similarity ?? 0) - 1e-6;
  for (let i = 0; i < sorted.length; i++) {
    // Moving the threshold just above pair i flips it to "different".
    correct += sorted[i]!.same ? -1 : 1;
    const next = sorted[i + 1]?.similarity;
    if (next !== undefined && next === sorted[i]!.similarity) continue;
    if (correct > best) {
      best = correct;
      threshold = next === undefined ? sorted[i]!.similarity + 1e-6 : (sorted[i]!.similarity + next) / 2;
    }
  }
  return threshold;
}

export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  if (pairs.length === 0) return 0;
  return pairs.filter((p) => (p.similarity > threshold) === p.same).length / pairs.length;
}

/** Standard LFW protocol: for each fold, pick the threshold on the other folds and test on it. */
export function crossValidatedAccuracy(pairs: readonly ScoredPair[], folds: number): VerificationResult {
  const accuracies: number[] = [];
  const foldThresholds: number[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const threshold = bestThreshold(pairs.filter((p) => p.fold !== fold));
    foldThresholds.push(threshold);
    accuracies.push(accuracyAt(pairs.filter((p) => p.fold === fold), threshold));
  }
  const mean = accuracies.reduce((s, a) => s + a, 0) / folds;
  const std = Math.sqrt(accuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / folds);
  return { accuracy: mean, accuracyStd: std, threshold: bestThreshold(pairs), foldThresholds };
}
