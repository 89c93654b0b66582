import { DEFAULT_DETECTION_TUNING, needsFineLevel, planPyramid } from './detection-pyramid';

const t = DEFAULT_DETECTION_TUNING;

describe('planPyramid', () => {
  it('runs an LFW-size image at its own size, and nothing else', () => {
    expect(planPyramid(250, 250, 20, t)).toEqual({ levels: [1] });
  });

  it('upscales a thumbnail to minSide', () => {
    expect(planPyramid(100, 80, 20, t).levels).toEqual([t.minSide / 100]);
  });

  it('keeps a mid-size image native and adds a coarser level for faces larger than the model likes', () => {
    expect(planPyramid(600, 604, 20, t)).toEqual({ levels: [1, 0.5] });
  });

  it('halves a large photo to a power of two (shrink-on-load) and plans a finer level for small faces', () => {
    const plan = planPyramid(4352, 2903, 32, t);
    // 544x363: no face can exceed the model's range by much, so no coarser level.
    expect(plan.levels).toEqual([0.125]);
    expect(plan.fine!.scale).toBeCloseTo(Math.min(12 / 32, Math.sqrt(t.maxLevelPixels / (4352 * 2903))), 6);
    // The finer level only keeps faces too small for the base level.
    expect(plan.fine!.maxFace).toBeCloseTo((2 * 12 * plan.fine!.scale) / 0.125, 6);
  });

  it('plans no finer level when the base already sees the smallest face wanted', () => {
    expect(planPyramid(1280, 811, 40, t).fine).toBeUndefined();
  });

  it('upscales for a minimum face size under what the model sees, within maxUpscale', () => {
    expect(planPyramid(300, 200, 4, t).fine!.scale).toBe(t.maxUpscale);
  });
});

describe('needsFineLevel', () => {
  it('runs the finer level when the base found small faces or none', () => {
    expect(needsFineLevel([], t)).toBe(true);
    expect(needsFineLevel([200, 30], t)).toBe(true);
    expect(needsFineLevel([200, 80], t)).toBe(false);
  });
});
