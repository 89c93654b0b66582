import { Writer } from 'protobufjs/minimal';
import { flushNegligibleWeights, NEGLIGIBLE_WEIGHT } from './flush-negligible-weights';

const SUBNORMAL = 1e-40;

const floatBytes = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

/** TensorProto {dims, data_type, raw_data | float_data}. */
function tensor(dataType: number, data: { raw?: Buffer; floats?: number[] }): Uint8Array {
  const w = Writer.create();
  w.uint32((1 << 3) | 2).fork().int64(2).ldelim(); // dims, packed
  w.uint32((2 << 3) | 0).int32(dataType);
  if (data.raw) w.uint32((9 << 3) | 2).bytes(data.raw);
  if (data.floats) {
    w.uint32((4 << 3) | 2).fork();
    for (const f of data.floats) w.float(f);
    w.ldelim();
  }
  return w.finish();
}

/** ModelProto {ir_version, graph {node {attribute {t}}, initializer...}}. */
function model(initializers: Uint8Array[], constant: Uint8Array): Uint8Array {
  const attribute = Writer.create().uint32((1 << 3) | 2).string('value').uint32((5 << 3) | 2).bytes(constant).finish();
  const node = Writer.create().uint32((4 << 3) | 2).string('Constant').uint32((5 << 3) | 2).bytes(attribute).finish();
  const graph = Writer.create();
  graph.uint32((1 << 3) | 2).bytes(node);
  for (const t of initializers) graph.uint32((5 << 3) | 2).bytes(t);
  return Writer.create().uint32((1 << 3) | 0).int64(8).uint32((7 << 3) | 2).bytes(graph.finish()).finish();
}

const floatsIn = (bytes: Uint8Array, needle: Buffer) => {
  const at = Buffer.from(bytes).indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  return at;
};

describe('flushNegligibleWeights', () => {
  it('zeroes float weights under 2^-60 (subnormals included) in raw_data, float_data and Constant tensors, and nothing else', () => {
    const raw = floatBytes([SUBNORMAL, 1.5, -SUBNORMAL, 0, 1e-30, -1e-19, 1e-17, NEGLIGIBLE_WEIGHT, 0.999 * NEGLIGIBLE_WEIGHT]);
    const constant = tensor(1, { floats: [SUBNORMAL, 2] });
    const int32Raw = floatBytes([SUBNORMAL, SUBNORMAL]); // int32 data whose bits look subnormal: not floats
    const bytes = model([tensor(1, { raw }), tensor(6, { raw: int32Raw })], constant);
    const rawAt = floatsIn(bytes, raw);
    const intAt = floatsIn(bytes, int32Raw);
    const constantAt = floatsIn(bytes, floatBytes([SUBNORMAL, 2]));

    expect(flushNegligibleWeights(bytes)).toEqual({ flushed: 6 });

    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const read = (at: number, n: number) => Array.from({ length: n }, (_, i) => view.readFloatLE(at + 4 * i));
    expect(read(rawAt, 9)).toEqual([0, 1.5, 0, 0, 0, 0, Math.fround(1e-17), NEGLIGIBLE_WEIGHT, 0]);
    expect(read(constantAt, 2)).toEqual([0, 2]);
    expect(read(intAt, 2)).toEqual([Math.fround(SUBNORMAL), Math.fround(SUBNORMAL)]);
  });

  it('is idempotent and leaves bytes it cannot parse alone', () => {
    const bytes = model([tensor(1, { raw: floatBytes([SUBNORMAL]) })], tensor(1, { floats: [1] }));
    expect(flushNegligibleWeights(bytes).flushed).toBe(1);
    expect(flushNegligibleWeights(bytes).flushed).toBe(0);

    const garbage = Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
    const copy = Uint8Array.from(garbage);
    expect(flushNegligibleWeights(garbage)).toEqual({ flushed: 0 });
    expect(garbage).toEqual(copy);
  });
});
