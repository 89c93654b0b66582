import { geometricVerdict, QUALITY_THRESHOLDS, sharpnessVerdict } from './quality-filter';

const good = { size: 120, score: 0.95, yaw: 5, pitch: -3, inFrame: true };

describe('quality filter', () => {
  it('passes a good face at every level', () => {
    for (const level of ['none', 'low', 'medium', 'high'] as const) expect(geometricVerdict(good, QUALITY_THRESHOLDS[level], 0)).toBeUndefined();
  });

  it('maps each failure to its API reason, strictest levels first', () => {
    const medium = QUALITY_THRESHOLDS.medium;
    expect(geometricVerdict({ ...good, size: 20 }, medium, 0)).toBe('too_small');
    expect(geometricVerdict({ ...good, score: 0.6 }, medium, 0)).toBe('low_confidence');
    expect(geometricVerdict({ ...good, inFrame: false }, medium, 0)).toBe('low_confidence');
    expect(geometricVerdict({ ...good, yaw: -70 }, medium, 0)).toBe('extreme_pose');
    expect(geometricVerdict({ ...good, pitch: 60 }, medium, 0)).toBe('extreme_pose');
    expect(sharpnessVerdict(10, medium)).toBe('low_sharpness');
    expect(sharpnessVerdict(500, medium)).toBeUndefined();
  });

  it('honours the request minimum size even with no filter', () => {
    expect(geometricVerdict({ ...good, size: 50 }, QUALITY_THRESHOLDS.none, 64)).toBe('too_small');
    expect(geometricVerdict({ ...good, yaw: 89, score: 0.1, inFrame: false }, QUALITY_THRESHOLDS.none, 0)).toBeUndefined();
  });

  it('tightens from low to high', () => {
    const order = ['low', 'medium', 'high'] as const;
    for (let i = 1; i < order.length; i++) {
      const [a, b] = [QUALITY_THRESHOLDS[order[i - 1]!], QUALITY_THRESHOLDS[order[i]!]];
      expect(b.minSize).toBeGreaterThanOrEqual(a.minSize);
      expect(b.minScore).toBeGreaterThanOrEqual(a.minScore);
      expect(b.minSharpness).toBeGreaterThanOrEqual(a.minSharpness);
      expect(b.maxYaw).toBeLessThanOrEqual(a.maxYaw);
    }
  });
});
