import { decodeVector, encodeVector, normalizeVector } from './vector-codec';
import { isVectorIndexError, VectorIndexErrorCode } from './vector-index.error';

describe('vector codec', () => {
  it('round-trips Float32 values exactly, including a view into a larger buffer', () => {
    const big = new Float32Array([9, 1.5, -2.25, 3e-8, Number.MAX_VALUE > 0 ? 3.4e38 : 0, 9]);
    const view = big.subarray(1, 5);
    const text = encodeVector(view);
    expect(text).toBe(Buffer.from(new Float32Array(view).buffer).toString('base64'));
    expect(Array.from(decodeVector(text)!)).toEqual(Array.from(view));
  });

  it('is little-endian on the wire', () => {
    expect(Buffer.from(encodeVector(new Float32Array([1])), 'base64')).toEqual(Buffer.from([0, 0, 0x80, 0x3f]));
  });

  it('rejects text that is not whole floats in base64', () => {
    expect(decodeVector('AAA=')).toBeUndefined();
    expect(decodeVector('not base64!')).toBeUndefined();
    expect(decodeVector('')).toEqual(new Float32Array(0));
  });

  it('normalises to unit length and refuses wrong length, NaN and zero vectors', () => {
    const n = normalizeVector(new Float32Array([3, 4]), 2);
    expect(n[0]).toBeCloseTo(0.6, 6);
    expect(n[1]).toBeCloseTo(0.8, 6);
    for (const bad of [new Float32Array(3), new Float32Array([0, 0]), new Float32Array([NaN, 1]), new Float32Array([Infinity, 1])]) {
      let err: unknown;
      try {
        normalizeVector(bad, 2);
      } catch (e) {
        err = e;
      }
      expect(isVectorIndexError(err, VectorIndexErrorCode.InvalidVector)).toBe(true);
    }
  });
});
