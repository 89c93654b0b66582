import { decodeYunet } from './yunet-output.decoder';

/** Zero outputs for a 64x32 input, with one hot cell at stride 16, row 1, column 2. */
function outputs() {
  const maps: Record<string, { data: Float32Array }> = {};
  for (const s of [8, 16, 32]) {
    const n = (64 / s) * (32 / s);
    maps[`cls_${s}`] = { data: new Float32Array(n) };
    maps[`obj_${s}`] = { data: new Float32Array(n) };
    maps[`bbox_${s}`] = { data: new Float32Array(4 * n) };
    maps[`kps_${s}`] = { data: new Float32Array(10 * n) };
  }
  const i = 1 * 4 + 2;
  maps.cls_16!.data[i] = 0.81;
  maps.obj_16!.data[i] = 1.5; // clamped to 1
  maps.bbox_16!.data.set([0.5, 0.25, Math.log(2), 0], 4 * i);
  maps.kps_16!.data.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], 10 * i);
  return maps;
}

describe('decodeYunet', () => {
  it('decodes score, box and landmarks of a cell as MODELS.md says', () => {
    const [face, ...rest] = decodeYunet(outputs(), 64, 32, [8, 16, 32], 0.5);
    expect(rest).toHaveLength(0);
    expect(face!.score).toBeCloseTo(0.9, 6);
    // Centre ((2 + 0.5) * 16, (1 + 0.25) * 16) = (40, 20); size (2 * 16, 1 * 16).
    expect([face!.x1, face!.y1, face!.x2, face!.y2].map((v) => Number(v.toFixed(4)))).toEqual([24, 12, 56, 28]);
    expect(Array.from(face!.landmarks)).toEqual([32, 16, 48, 16, 40, 24, 32, 32, 48, 32]);
  });

  it('drops cells under the threshold', () => {
    expect(decodeYunet(outputs(), 64, 32, [8, 16, 32], 0.95)).toHaveLength(0);
  });

  it('refuses outputs that do not match the input size', () => {
    expect(() => decodeYunet(outputs(), 96, 32, [8, 16, 32], 0.5)).toThrow(/cells/);
  });
});
