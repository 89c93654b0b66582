// Small figures helpers the bench scripts share.

/** The p-quantile of ascending `sorted` (nearest rank, rounding down). */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** `value` to `digits` decimals, as a number (for JSON figures). */
export const round = (value: number, digits: number): number => Number(value.toFixed(digits));
