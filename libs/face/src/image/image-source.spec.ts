import sharp from 'sharp';
import { readImageHeader } from './image.decoder';
import { ImageSource } from './image-source';

const LIMITS = { maxBytes: 1e7, maxPixels: 1e8 };

describe('ImageSource', () => {
  it('decodes at the scales asked, reuses a fine enough decode, and zero-fills every buffer on wipe', async () => {
    const bytes = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#c08040' } }).jpeg().toBuffer();
    const source = new ImageSource(bytes, await readImageHeader(bytes, LIMITS), LIMITS);
    const quarter = await source.at(0.25);
    expect([quarter.image.width, quarter.image.height]).toEqual([200, 100]);
    expect(await source.at(0.2)).toBe(quarter);
    const full = await source.at(3);
    expect(full.scaleX).toBe(1);
    expect(await source.at(0.9)).toBe(full);
    // Asked for 0.3 with 1.25 tolerance: the quarter-size decode (0.25 >= 0.3 / 1.25) serves.
    expect(await source.at(0.3, 1.25)).toBe(quarter);
    expect(quarter.image.data.some((v) => v !== 0)).toBe(true);
    source.wipe();
    expect(quarter.image.data.every((v) => v === 0)).toBe(true);
    expect(full.image.data.every((v) => v === 0)).toBe(true);
  });
});
