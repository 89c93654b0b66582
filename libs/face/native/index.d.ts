export interface DecodedJpeg {
  /** 8-bit RGB, interleaved, row-major. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a JPEG to RGB at scaleEighths/8 of its size (libjpeg-turbo's DCT-domain scaling: each side
 * becomes ceil(side * scaleEighths / 8)). Returns null, with no pixels kept, for anything outside its
 * fast path: an error or warning from the decoder (corrupt or truncated data), an EXIF orientation
 * other than 1, CMYK/YCCK, more than 8 bits per sample, or more than maxPixels pixels. The caller then
 * decodes with its general decoder, which decides what the problem is.
 */
export function decodeJpeg(bytes: Uint8Array, scaleEighths: number, maxPixels: number): DecodedJpeg | null;
/** The libjpeg version the addon was built against (JPEG_LIB_VERSION, e.g. 62). */
export function jpegLibVersion(): number;
/** toPlanarTensor (libs/face/src/image/planar-tensor.ts) into `out`, value for value. */
export function planarTensor(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  out: Float32Array,
  inputWidth: number,
  inputHeight: number,
  width: number,
  height: number,
  mean: number,
  std: number,
  bgr: boolean,
): void;
/** mirrorPlanar (planar-tensor.ts), in place. */
export function mirrorPlanar(tensor: Float32Array, inputWidth: number, width: number, height: number): void;
/** warpAffine (libs/face/src/alignment/affine-warp.ts) into `out`, pixel for pixel. */
export function warpAffine(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  toSource: readonly number[],
  taps: number,
  out: Uint8Array,
  width: number,
  height: number,
): void;
/** laplacianVariance (libs/face/src/quality/sharpness.ts), value for value. */
export function laplacianVariance(data: Uint8Array, width: number, height: number, innerFraction: number): number;
/** The alignment warp's kernel in use: "avx2" (checked at load) or "scalar". */
export function pixelKernel(): string;
/** Forces the portable scalar warp ("scalar") or the CPU's best ("auto") for this process (every thread); returns the kernel in use. */
export function usePixelKernel(kernel: 'scalar' | 'auto'): string;
