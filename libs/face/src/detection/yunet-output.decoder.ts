import type { FaceCandidate } from './face-candidate';

/** The 12 YuNet outputs of one run, by name (`cls_8`, `obj_8`, `bbox_8`, `kps_8`, ...). */
export type YunetOutputs = Readonly<Record<string, { readonly data: unknown }>>;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Decodes YuNet's per-stride maps (MODELS.md "YuNet decoding") into boxes and landmarks in the pixels
 * of the padded input. Cells under the threshold are skipped before any exp().
 */
export function decodeYunet(
  outputs: YunetOutputs,
  inputWidth: number,
  inputHeight: number,
  strides: readonly number[],
  scoreThreshold: number,
): FaceCandidate[] {
  const found: FaceCandidate[] = [];
  // score = sqrt(cls * obj) >= t  <=>  cls * obj >= t^2: no sqrt for the cells we drop.
  const minProduct = scoreThreshold * scoreThreshold;
  for (const stride of strides) {
    const cls = outputs[`cls_${stride}`]?.data as Float32Array | undefined;
    const obj = outputs[`obj_${stride}`]?.data as Float32Array | undefined;
    const bbox = outputs[`bbox_${stride}`]?.data as Float32Array | undefined;
    const kps = outputs[`kps_${stride}`]?.data as Float32Array | undefined;
    if (!cls || !obj || !bbox || !kps) throw new Error(`YuNet output for stride ${stride} is missing`);
    const cols = Math.floor(inputWidth / stride);
    const rows = Math.floor(inputHeight / stride);
    if (cls.length !== cols * rows) throw new Error(`YuNet stride ${stride}: ${cls.length} cells, expected ${cols * rows}`);
    for (let i = 0; i < cls.length; i++) {
      const product = clamp01(cls[i]!) * clamp01(obj[i]!);
      if (product < minProduct) continue;
      const r = Math.floor(i / cols);
      const c = i - r * cols;
      const cx = (c + bbox[4 * i]!) * stride;
      const cy = (r + bbox[4 * i + 1]!) * stride;
      const w = Math.exp(bbox[4 * i + 2]!) * stride;
      const h = Math.exp(bbox[4 * i + 3]!) * stride;
      const landmarks = new Float32Array(10);
      for (let k = 0; k < 5; k++) {
        landmarks[2 * k] = (kps[10 * i + 2 * k]! + c) * stride;
        landmarks[2 * k + 1] = (kps[10 * i + 2 * k + 1]! + r) * stride;
      }
      found.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: Math.sqrt(product), landmarks });
    }
  }
  return found;
}
