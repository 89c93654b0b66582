import { DEFAULT_DETECTION_TUNING, planPyramid } from '../detection/detection-pyramid';
import { DEFAULT_LIMITS } from '../face-engine.options';
import { DEFAULT_JPEG_DECODER, decodeImage, readImageHeader } from '../image/image.decoder';

/**
 * Decodes an image the way analysis first does (header, then the detector's base level, JPEG
 * shrink-on-load included) and discards the pixels: the decoding floor of an analysis, for benchmarks.
 * Runs on the calling thread (native JPEG path) or its libvips pool.
 */
export async function decodeAtBaseLevel(bytes: Uint8Array, minFaceSize = 20, decoder = DEFAULT_JPEG_DECODER): Promise<{ width: number; height: number }> {
  const header = await readImageHeader(bytes, DEFAULT_LIMITS);
  const [base] = planPyramid(header.width, header.height, minFaceSize, DEFAULT_DETECTION_TUNING).levels;
  const image = await decodeImage(bytes, header, DEFAULT_LIMITS, base!, undefined, decoder);
  image.data.fill(0);
  return { width: image.width, height: image.height };
}
