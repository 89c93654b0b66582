import type { FaceCandidate } from './face-candidate';
import { nonMaxSuppression } from './non-max-suppression';

const face = (x: number, score: number, landmarkX = x): FaceCandidate => ({
  x1: x, y1: 0, x2: x + 100, y2: 100, score, landmarks: new Float32Array(10).fill(landmarkX),
});

describe('nonMaxSuppression', () => {
  it('keeps the best of overlapping boxes and separate faces', () => {
    const kept = nonMaxSuppression([face(0, 0.8), face(5, 0.9), face(300, 0.7)], 0.3);
    expect(kept.map((c) => c.score)).toEqual([0.9, 0.7]);
  });

  it('keeps boxes overlapping less than the threshold', () => {
    expect(nonMaxSuppression([face(0, 0.9), face(60, 0.8)], 0.3)).toHaveLength(2);
  });

  it('votes landmarks over close duplicates, weighted by score', () => {
    const [kept] = nonMaxSuppression([face(0, 0.6, 10), face(2, 0.9, 20)], 0.3, 0.5);
    expect(kept!.score).toBe(0.9);
    expect(kept!.landmarks[0]).toBeCloseTo((0.6 * 10 + 0.9 * 20) / 1.5, 4);
  });
});
