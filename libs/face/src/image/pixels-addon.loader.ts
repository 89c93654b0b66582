import type * as Pixels from '@facesearch/pixels';

export type PixelsAddon = typeof Pixels;

/** The addon (libs/face/native), or why it is missing. */
export interface PixelsAddonChoice {
  readonly module?: PixelsAddon;
  readonly status: string;
}

let loaded: PixelsAddonChoice | undefined;

/** The addon takes image sides up to 2^24; a larger one (libvips allows sides of millions) runs the TypeScript. */
const MAX_NATIVE_SIDE = 2 ** 24;

/** The addon for an image of these sides, or undefined (not built here, or sides beyond its range). */
export function pixelsAddonFor(...sides: number[]): PixelsAddon | undefined {
  return sides.every((side) => side <= MAX_NATIVE_SIDE) ? loadPixelsAddon().module : undefined;
}

/**
 * Loads the native pixels addon once per thread if `npm ci` built it (it needs libjpeg-turbo's headers;
 * a failed build is optional and every caller falls back to sharp). Never throws.
 */
export function loadPixelsAddon(): PixelsAddonChoice {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require('@facesearch/pixels') as PixelsAddon;
      loaded = { module, status: `libjpeg ${module.jpegLibVersion()}` };
    } catch (error) {
      loaded = { status: `unavailable: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  return loaded;
}
