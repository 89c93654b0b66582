/** 8-bit RGB pixels, interleaved, row-major, no padding. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Zero-fills pixel data once it is no longer needed (privacy: no image bytes linger in memory). */
export function wipe(...images: readonly (RgbImage | undefined)[]): void {
  for (const image of images) image?.data.fill(0);
}
