/** Sign bits of each vector, written as labels firstLabel, firstLabel + 1, ... (blocks of 8 labels, word-interleaved). */
export function encode(vectors: Float32Array, dims: number, codes: Uint8Array, firstLabel: number): void;
/**
 * Scores every live code against the query, keeps the best `candidates`, re-ranks them by exact inner
 * product; writes up to k hits with similarity ≥ minSimilarity, best first; returns how many.
 */
export function search(
  codes: Uint8Array,
  count: number,
  dead: Uint8Array,
  segments: Float32Array[],
  segmentShift: number,
  dims: number,
  query: Float32Array,
  candidates: number,
  k: number,
  minSimilarity: number,
  threads: number,
  outLabels: Int32Array,
  outSims: Float32Array,
): number;
/** "avx512-vpopcntdq" or "scalar". */
export function kernel(): string;
/** madvise(MADV_HUGEPAGE) over the array's whole 2 MB stretches; returns the bytes advised. */
export function adviseHugePages(array: ArrayBufferView): number;
/** Forces the portable scalar scan ("scalar") or the CPU's best ("auto") for this process; returns the kernel in use. */
export function useKernel(kernel: 'scalar' | 'auto'): string;
