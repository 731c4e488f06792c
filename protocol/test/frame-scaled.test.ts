import { decodeBinary } from '../codec';
import {
  checkEnvelope, encodeFrame, expectedImageSize, FrameFlag, MAX_SCALE_FACTOR, parseFrame, SCALED_FRAME_HEADER_LENGTH, SEALED_OVERHEAD,
  writeFrameHeader, type FrameHeader,
} from '../frame';
import { SAMPLE_HEADER } from './samples';

/** SAMPLE_HEADER (a 64×32 rectangle) sent at half resolution. */
const SCALED_HEADER: FrameHeader = {
  ...SAMPLE_HEADER,
  flags: SAMPLE_HEADER.flags | FrameFlag.SCALED,
  scaledImage: { width: 32, height: 16 },
};
const IMAGE = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0);

function scaledWith(edit: (dv: DataView) => void, header: FrameHeader = SCALED_HEADER): Uint8Array {
  const bytes = encodeFrame(header, IMAGE);
  edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

function refusal(bytes: Uint8Array): string | undefined {
  let result: ReturnType<typeof decodeBinary> | undefined;
  expect(() => { result = decodeBinary(bytes); }).not.toThrow();
  return result!.ok ? undefined : result!.detail;
}

describe('SCALED frames: the image is smaller than its rectangle and says its size', () => {
  it('writes imageWidth and imageHeight after the 32 bytes, in a 36-byte header, byte for byte', () => {
    const bytes = encodeFrame(SCALED_HEADER, IMAGE);
    expect(SCALED_FRAME_HEADER_LENGTH).toBe(36);
    expect(bytes[1]).toBe(FrameFlag.LAST | FrameFlag.SCALED);
    expect(Array.from(bytes.subarray(2, 4))).toEqual([0x00, 0x24]);
    expect(Array.from(bytes.subarray(32, 36))).toEqual([0x00, 0x20, 0x00, 0x10]);
    expect(Array.from(bytes.subarray(36))).toEqual(Array.from(IMAGE));
  });

  it('parses back the same header, and the image from byte 36 on', () => {
    const parsed = parseFrame(encodeFrame(SCALED_HEADER, IMAGE));
    expect(typeof parsed).toBe('object');
    if (typeof parsed !== 'object') return;
    expect(parsed.header).toEqual(SCALED_HEADER);
    expect(Array.from(parsed.image)).toEqual(Array.from(IMAGE));
    expect(expectedImageSize(parsed.header)).toEqual({ width: 32, height: 16 });
  });

  it('a frame without SCALED must decode to its rectangle, as before', () => {
    expect(expectedImageSize(SAMPLE_HEADER)).toEqual({ width: 64, height: 32 });
    const parsed = parseFrame(encodeFrame(SAMPLE_HEADER, IMAGE));
    expect(typeof parsed === 'object' && parsed.header.scaledImage).toBeUndefined();
  });

  it('accepts smaller on one axis only, and exactly the largest factor', () => {
    const oneAxis = { ...SCALED_HEADER, scaledImage: { width: 64, height: 31 } };
    expect(refusal(encodeFrame(oneAxis, IMAGE))).toBeUndefined();
    const largest = { ...SCALED_HEADER, scaledImage: { width: 64 / MAX_SCALE_FACTOR, height: 32 / MAX_SCALE_FACTOR } };
    expect(refusal(encodeFrame(largest, IMAGE))).toBeUndefined();
  });

  it('refuses to write SCALED without a size, or a size without SCALED (a bug, thrown at the sender)', () => {
    expect(() => encodeFrame({ ...SAMPLE_HEADER, flags: FrameFlag.SCALED }, IMAGE)).toThrow(/SCALED/);
    expect(() => writeFrameHeader({ ...SAMPLE_HEADER, scaledImage: { width: 1, height: 1 } }, new Uint8Array(36))).toThrow(/SCALED/);
  });
});

describe('malformed SCALED frames are refused with RS_ERR_PROTO_MALFORMED, never thrown', () => {
  const cases: readonly (readonly [string, Uint8Array, string])[] = [
    ['SCALED with a 32-byte header (no size)', scaledWith((dv) => dv.setUint16(2, 32)), 'bad-header-length'],
    ['SCALED with a 35-byte header', scaledWith((dv) => dv.setUint16(2, 35)), 'bad-header-length'],
    ['SCALED flag on a plain 32-byte frame', (() => {
      const bytes = encodeFrame(SAMPLE_HEADER, IMAGE);
      bytes[1] = bytes[1]! | FrameFlag.SCALED;
      return bytes;
    })(), 'bad-header-length'],
    ['SCALED, header only (size but no image)', encodeFrame(SCALED_HEADER, IMAGE).subarray(0, 36), 'empty-image'],
    ['SCALED, cut inside the size fields', encodeFrame(SCALED_HEADER, IMAGE).subarray(0, 34), 'bad-header-length'],
    ['zero image width', scaledWith((dv) => dv.setUint16(32, 0)), 'bad-scaled-size'],
    ['zero image height', scaledWith((dv) => dv.setUint16(34, 0)), 'bad-scaled-size'],
    ['image wider than its rectangle', scaledWith((dv) => dv.setUint16(32, 65)), 'bad-scaled-size'],
    ['image taller than its rectangle', scaledWith((dv) => dv.setUint16(34, 33)), 'bad-scaled-size'],
    ['image 65535 wide', scaledWith((dv) => dv.setUint16(32, 65535)), 'bad-scaled-size'],
    ['image the rectangle\'s size (SCALED that scales nothing)', scaledWith((dv) => { dv.setUint16(32, 64); dv.setUint16(34, 32); }), 'bad-scaled-size'],
    ['width shrunk more than 8 times', scaledWith((dv) => dv.setUint16(32, 7)), 'bad-scaled-size'],
    ['height shrunk more than 8 times', scaledWith((dv) => dv.setUint16(34, 3)), 'bad-scaled-size'],
    ['a 1×1 image stretched over the whole screen', encodeFrame({
      ...SCALED_HEADER, x: 0, y: 0, width: 1280, height: 720, scaledImage: { width: 1, height: 1 },
    }, IMAGE), 'bad-scaled-size'],
  ];

  it.each(cases)('%s', (_what, bytes, detail) => {
    expect(refusal(bytes)).toBe(detail);
  });

  it('the relay refuses a sealed SCALED frame whose header cannot hold the size, from the envelope alone', () => {
    const plain = encodeFrame(SCALED_HEADER, IMAGE);
    const sealed = new Uint8Array(plain.length + SEALED_OVERHEAD);
    sealed.set(plain);
    sealed[1] = sealed[1]! | FrameFlag.SEALED;
    expect(checkEnvelope(sealed, 'sealed')).toEqual(expect.objectContaining({ headerLength: 36 }));
    new DataView(sealed.buffer).setUint16(2, 32);
    expect(checkEnvelope(sealed, 'sealed')).toBe('bad-header-length');
  });
});
