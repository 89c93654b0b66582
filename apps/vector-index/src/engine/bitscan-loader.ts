import type * as Bitscan from '@facesearch/bitscan';

export type BitscanModule = typeof Bitscan;

export interface BitscanChoice {
  /** The addon, or undefined when it is not built here (npm ci builds it; a failed build is optional). */
  readonly module?: BitscanModule;
  /** "avx512-vpopcntdq" | "scalar", or why it is missing. */
  readonly kernel: string;
}

/** Loads the 1-bit scan addon (apps/vector-index/native) if it was built. Never throws. */
export function loadBitscan(): BitscanChoice {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('@facesearch/bitscan') as BitscanModule;
    return { module, kernel: module.kernel() };
  } catch (error) {
    return { kernel: `unavailable: ${(error as Error).message.split('\n')[0]}` };
  }
}
