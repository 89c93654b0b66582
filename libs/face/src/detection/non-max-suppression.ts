import type { FaceCandidate } from './face-candidate';

function iou(a: FaceCandidate, b: FaceCandidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS: keeps the best-scoring box of each overlapping group. With `voteIou`, the kept face's
 * landmarks become the score-weighted mean over the group members overlapping it that much: neighbouring
 * cells and pyramid levels see the same face, and their mean is a steadier alignment than one guess.
 */
export function nonMaxSuppression(candidates: readonly FaceCandidate[], iouThreshold: number, voteIou = Infinity): FaceCandidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: FaceCandidate[] = [];
  const suppressed = new Array<boolean>(sorted.length).fill(false);
  for (let i = 0; i < sorted.length; i++) {
    if (suppressed[i]) continue;
    const best = sorted[i]!;
    const sum = new Float64Array(10);
    let weight = 0;
    for (let j = i; j < sorted.length; j++) {
      if (suppressed[j]) continue;
      const overlap = j === i ? 1 : iou(best, sorted[j]!);
      if (overlap <= iouThreshold) continue;
      suppressed[j] = true;
      if (overlap < voteIou) continue;
      const w = sorted[j]!.score;
      for (let k = 0; k < 10; k++) sum[k]! += w * sorted[j]!.landmarks[k]!;
      weight += w;
    }
    const landmarks = weight > 0 && voteIou !== Infinity ? Float32Array.from(sum, (v) => v / weight) : best.landmarks;
    kept.push({ ...best, landmarks });
  }
  return kept;
}
