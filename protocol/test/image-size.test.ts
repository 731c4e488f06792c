import sharp from 'sharp';
import { ImageFormat } from '../frame';
import { sniffImageSize, type ImageSize } from '../image-size';
import { prng } from './samples';

function solid(width: number, height: number): ReturnType<typeof sharp> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } });
}

function safeSniff(bytes: Uint8Array): ImageSize | undefined {
  let result: ImageSize | undefined;
  expect(() => { result = sniffImageSize(bytes); }).not.toThrow();
  return result;
}

describe('sniffImageSize on real images made by sharp', () => {
  const cases: readonly (readonly [string, () => Promise<Buffer>, ImageSize])[] = [
    ['baseline JPEG 37×23', () => solid(37, 23).jpeg({ quality: 70 }).toBuffer(), { format: ImageFormat.JPEG, width: 37, height: 23 }],
    ['progressive JPEG 1920×1080', () => solid(1920, 1080).jpeg({ progressive: true }).toBuffer(), { format: ImageFormat.JPEG, width: 1920, height: 1080 }],
    ['JPEG with EXIF/ICC segments before the frame', () => solid(640, 1).withMetadata().jpeg({ mozjpeg: true }).toBuffer(), { format: ImageFormat.JPEG, width: 640, height: 1 }],
    ['JPEG 1×4000', () => solid(1, 4000).jpeg().toBuffer(), { format: ImageFormat.JPEG, width: 1, height: 4000 }],
    ['PNG 300×1', () => solid(300, 1).png().toBuffer(), { format: ImageFormat.PNG, width: 300, height: 1 }],
    ['PNG 65535×2 palette', () => solid(65535, 2).png({ palette: true }).toBuffer(), { format: ImageFormat.PNG, width: 65535, height: 2 }],
  ];

  it.each(cases)('%s', async (_what, make, expected) => {
    const buf = await make();
    expect(safeSniff(new Uint8Array(buf))).toEqual(expected);
    // And what sharp itself reads agrees.
    const meta = await sharp(buf).metadata();
    expect([meta.width, meta.height]).toEqual([expected.width, expected.height]);
  });

  it('reads an image that sits at a non-zero offset of a larger buffer', async () => {
    const png = await solid(12, 34).png().toBuffer();
    const jpeg = await solid(56, 78).jpeg().toBuffer();
    const backing = new Uint8Array(5 + png.length + 3 + jpeg.length);
    backing.set(png, 5);
    backing.set(jpeg, 5 + png.length + 3);
    expect(safeSniff(backing.subarray(5, 5 + png.length))).toEqual({ format: ImageFormat.PNG, width: 12, height: 34 });
    expect(safeSniff(backing.subarray(5 + png.length + 3))).toEqual({ format: ImageFormat.JPEG, width: 56, height: 78 });
  });

  it('every truncation of a real JPEG and PNG gives the right size or nothing, never a wrong one', async () => {
    for (const [buf, expected] of [
      [await solid(321, 123).withMetadata().jpeg().toBuffer(), { format: ImageFormat.JPEG, width: 321, height: 123 }],
      [await solid(321, 123).png().toBuffer(), { format: ImageFormat.PNG, width: 321, height: 123 }],
    ] as const) {
      const bytes = new Uint8Array(buf);
      let firstFound = -1;
      for (let n = 0; n <= Math.min(bytes.length, 4096); n++) {
        const result = safeSniff(bytes.subarray(0, n));
        if (result !== undefined) {
          expect(result).toEqual(expected);
          if (firstFound < 0) firstFound = n;
        } else {
          // Once the size is readable, longer prefixes keep it readable.
          expect(firstFound).toBe(-1);
        }
      }
      expect(firstFound).toBeGreaterThan(0);
      if (expected.format === ImageFormat.PNG) expect(firstFound).toBe(24);
    }
  });
});

describe('sniffImageSize on garbage', () => {
  const cases: readonly (readonly [string, Uint8Array])[] = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0xff)],
    ['JPEG SOI only', Uint8Array.of(0xff, 0xd8)],
    ['JPEG SOI and EOI', Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)],
    ['JPEG with a non-marker byte', Uint8Array.of(0xff, 0xd8, 0x00, 0x00, 0x00, 0x00)],
    ['JPEG segment length < 2', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0, 0, 0)],
    ['JPEG scan before any frame', Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0, 0, 0, 0, 0, 0)],
    ['JPEG segment length past the end', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0)],
    ['JPEG SOF cut short', Uint8Array.of(0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00)],
    ['JPEG SOF with zero width', Uint8Array.of(0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x00, 0x03)],
    ['PNG signature only', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['PNG with zero height', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 9, 0, 0, 0, 0)],
    ['PNG magic then junk (no full signature)', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, ...new Array<number>(20).fill(0x41))],
    ['PNG signature but first chunk not IHDR', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x74, 0x45, 0x58, 0x74, 0, 0, 0, 9, 0, 0, 0, 9)],
    ['GIF', new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00')],
    ['text', new TextEncoder().encode('this is not an image at all, just words')],
  ];

  it.each(cases)('%s gives undefined', (_what, bytes) => {
    expect(safeSniff(bytes)).toBeUndefined();
  });

  it('skips JPEG fill bytes and DHT segments to find the frame', () => {
    const bytes = Uint8Array.of(
      0xff, 0xd8, // SOI
      0xff, 0xc4, 0x00, 0x04, 0xaa, 0xbb, // DHT, not a frame although in the SOF range
      0xff, 0xff, 0xff, // fill bytes
      0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, // SOF0: height 16, width 32
    );
    expect(safeSniff(bytes)).toEqual({ format: ImageFormat.JPEG, width: 32, height: 16 });
  });

  it('never throws on random bytes or on random bytes behind a JPEG/PNG signature', () => {
    const r = prng(0xbadc0de);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(Math.floor(r() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(r() * 256);
      const roll = r();
      if (roll < 0.4 && bytes.length >= 2) bytes.set([0xff, 0xd8]);
      else if (roll < 0.7 && bytes.length >= 4) bytes.set([0x89, 0x50, 0x4e, 0x47]);
      const result = safeSniff(bytes);
      if (result !== undefined) {
        expect(result.width).toBeGreaterThan(0);
        expect(result.height).toBeGreaterThan(0);
      }
    }
  });
});
