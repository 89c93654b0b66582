import { readFileSync } from 'node:fs';
import { describeWithPhotos, deepface } from '../testing/face-models.fixture';
import { sniffImageFormat } from './image-format.sniffer';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** An ISO-BMFF `ftyp` box with the given major and compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], 'mdat');
}

describe('sniffImageFormat', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF')],
    ['png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR')],
    ['gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['gif', bytes('GIF87a', [1, 0, 1, 0])],
    ['webp', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')],
    ['tiff', bytes('II', [0x2a, 0], [8, 0, 0, 0])],
    ['tiff', bytes('MM', [0, 0x2a], [0, 0, 0, 8])],
    ['avif', ftyp('avif', 'mif1', 'miaf')],
    ['avif', ftyp('mif1', 'avif', 'miaf')],
  ])('recognises %s by its bytes', (format, input) => {
    expect(sniffImageFormat(input)).toEqual({ supported: true, format });
  });

  it.each([
    ['svg', bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['svg', bytes('  <svg width="10" height="10"/>')],
    ['html', bytes('<!DOCTYPE html><html><body>hi</body></html>')],
    ['html', bytes('<html><head><title>x</title></head></html>')],
    ['pdf', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')],
    ['heic', ftyp('heic', 'mif1', 'heic')],
    ['heic', ftyp('mif1', 'heix')],
    ['text', bytes('just some words\nand a second line\n')],
    ['empty', new Uint8Array(0)],
    ['unknown', bytes([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff])],
    ['unknown', bytes([0xff, 0xd8])],
  ])('refuses %s', (kind, input) => {
    expect(sniffImageFormat(input)).toEqual({ supported: false, kind });
  });
});

describeWithPhotos('sniffImageFormat on real files', () => {
  it('reads img47.jpg as the WebP it is, whatever its name says', () => {
    expect(sniffImageFormat(readFileSync(deepface('img47.jpg')))).toEqual({ supported: true, format: 'webp' });
    expect(sniffImageFormat(readFileSync(deepface('img1.jpg')))).toEqual({ supported: true, format: 'jpeg' });
  });
});
