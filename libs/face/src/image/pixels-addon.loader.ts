import type * as Pixels from '@facesearch/pixels';

export type PixelsAddon = typeof Pixels;

/** The addon (libs/face/native), or why it is missing. */
export interface PixelsAddonChoice {
  readonly module?: PixelsAddon;
  readonly status: string;
}

let loaded: PixelsAddonChoice | undefined;

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
