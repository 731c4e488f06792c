import { decodeBinary, type DecodeResult } from '../codec';
import { Errors } from '../errors';
import {
  BinaryKind, ENVELOPE_LENGTH, FRAME_ACK_LENGTH, FRAME_HEADER_LENGTH, FrameFlag, ImageFormat,
  checkEnvelope, encodeFileChunk, encodeFrame, MAX_FILE_CHUNK_BYTES, encodeFrameAck, parseFrame, parseFrameAck, readEnvelope, SEALED_FRAME_ACK_LENGTH, SEALED_OVERHEAD,
  writeFrameHeader,
  type BinaryMessage, type FrameHeader,
} from '../frame';
import { SAMPLE_HEADER } from './samples';

/** SAMPLE_HEADER written out by hand from the offset table in frame.ts / docs/PROTOCOL.md. */
const GOLDEN_HEADER = [
  0x01, // kind FRAME
  0x02, // flags LAST
  0x00, 0x20, // headerLength 32
  0x01, 0x02, 0x03, 0x04, // seq 0x01020304
  0x42, 0x78, 0xbc, 0xfe, 0x56, 0x87, 0xb8, 0x00, // captureTimeMs 1700000000123.5, float64 BE
  0x01, // displayId 1
  0x02, // format PNG
  0x00, 0x03, // rectIndex 3
  0x00, 0x64, // x 100
  0x00, 0xc8, // y 200
  0x00, 0x40, // width 64
  0x00, 0x20, // height 32
  0x05, 0x00, // screenWidth 1280
  0x02, 0xd0, // screenHeight 720
];

/** The full-screen example of docs/PROTOCOL.md §6.6. */
const DOC_EXAMPLE_HEADER: FrameHeader = {
  flags: FrameFlag.FULL | FrameFlag.LAST, seq: 42, captureTimeMs: 1700000000123.5, displayId: 0, format: ImageFormat.JPEG,
  rectIndex: 0, x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080,
};
const DOC_EXAMPLE_BYTES = [
  0x01, 0x03, 0x00, 0x20, 0x00, 0x00, 0x00, 0x2a, 0x42, 0x78, 0xbc, 0xfe, 0x56, 0x87, 0xb8, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x80, 0x04, 0x38, 0x07, 0x80, 0x04, 0x38,
];

const GOLDEN_ACK = [
  0x02, // kind FRAME_ACK
  0x00, // flags
  0x00, 0x10, // headerLength 16
  0x00, 0x00, 0x00, 0x2a, // seq 42
  0x42, 0x78, 0xbc, 0xfe, 0x56, 0x87, 0xb8, 0x00, // captureTimeMs 1700000000123.5
];

const IMAGE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function safeDecode(bytes: Uint8Array): DecodeResult<BinaryMessage> {
  let result: DecodeResult<BinaryMessage> | undefined;
  expect(() => { result = decodeBinary(bytes); }).not.toThrow();
  return result!;
}

function expectRefused(bytes: Uint8Array, detail: string): void {
  const result = safeDecode(bytes);
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.error.code).toBe('RS_ERR_PROTO_MALFORMED');
    expect(result.detail).toBe(detail);
  }
}

describe('golden bytes', () => {
  it('writes the frame header byte for byte', () => {
    expect(FRAME_HEADER_LENGTH).toBe(32);
    const frame = encodeFrame(SAMPLE_HEADER, IMAGE);
    expect(Array.from(frame.subarray(0, 32))).toEqual(GOLDEN_HEADER);
    expect(Array.from(frame.subarray(32))).toEqual(Array.from(IMAGE));
    expect(frame.byteLength).toBe(32 + IMAGE.byteLength);
  });

  it('parses the golden bytes back into the same header', () => {
    const bytes = Uint8Array.from([...GOLDEN_HEADER, ...IMAGE]);
    const result = decodeBinary(bytes);
    expect(result.ok).toBe(true);
    if (result.ok && result.message.kind === 'frame') {
      expect(result.message.header).toEqual(SAMPLE_HEADER);
      expect(Array.from(result.message.image)).toEqual(Array.from(IMAGE));
    } else {
      throw new Error('expected a frame');
    }
  });

  it('matches the hex dump printed in docs/PROTOCOL.md', () => {
    expect(Array.from(encodeFrame(DOC_EXAMPLE_HEADER, Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)).subarray(0, 32))).toEqual(DOC_EXAMPLE_BYTES);
    const parsed = parseFrame(Uint8Array.from([...DOC_EXAMPLE_BYTES, 0xff, 0xd8]));
    expect(typeof parsed).toBe('object');
    if (typeof parsed === 'object') expect(parsed.header).toEqual(DOC_EXAMPLE_HEADER);
  });

  it('parses a deflated-RGB rectangle of 256×256 pixels, the largest the format allows', () => {
    const header: FrameHeader = { ...SAMPLE_HEADER, format: ImageFormat.DEFLATED_RGB, x: 0, y: 0, width: 256, height: 256 };
    const bytes = encodeFrame(header, IMAGE);
    expect(bytes[17]).toBe(3);
    const parsed = parseFrame(bytes);
    expect(typeof parsed === 'object' ? parsed.header : parsed).toEqual(header);
  });

  it('writes and parses FRAME_ACK byte for byte', () => {
    expect(Array.from(encodeFrameAck(42, 1700000000123.5))).toEqual(GOLDEN_ACK);
    expect(decodeBinary(Uint8Array.from(GOLDEN_ACK))).toEqual({
      ok: true, message: { kind: 'frame-ack', seq: 42, captureTimeMs: 1700000000123.5 },
    });
    expect(FRAME_ACK_LENGTH).toBe(16);
  });

  it('reads the 8-byte envelope of both kinds', () => {
    expect(ENVELOPE_LENGTH).toBe(8);
    expect(readEnvelope(Uint8Array.from(GOLDEN_HEADER))).toEqual({ kind: BinaryKind.FRAME, flags: FrameFlag.LAST, headerLength: 32, seq: 0x01020304 });
    expect(readEnvelope(Uint8Array.from(GOLDEN_ACK))).toEqual({ kind: BinaryKind.FRAME_ACK, flags: 0, headerLength: 16, seq: 42 });
    expect(readEnvelope(new Uint8Array(7))).toBeUndefined();
  });

  it('encodes seq as uint32 (wraps) and keeps full float64 timestamps', () => {
    const frame = encodeFrame({ ...SAMPLE_HEADER, seq: 2 ** 32 + 5, captureTimeMs: Date.UTC(2030, 0, 1) + 0.25 }, IMAGE);
    const result = decodeBinary(frame);
    expect(result.ok && result.message.kind === 'frame' && result.message.header.seq).toBe(5);
    expect(result.ok && result.message.kind === 'frame' && result.message.header.captureTimeMs).toBe(Date.UTC(2030, 0, 1) + 0.25);
    expect(decodeBinary(encodeFrameAck(0xffffffff, 0))).toEqual({ ok: true, message: { kind: 'frame-ack', seq: 0xffffffff, captureTimeMs: 0 } });
  });

  it('parses a view at a non-zero byte offset, and the image is a view, not a copy', () => {
    const backing = new Uint8Array(100);
    const frame = encodeFrame(SAMPLE_HEADER, IMAGE);
    backing.set(frame, 7);
    const bytes = backing.subarray(7, 7 + frame.byteLength);
    const result = decodeBinary(bytes);
    expect(result.ok && result.message.kind === 'frame' && result.message.header).toEqual(SAMPLE_HEADER);
    if (result.ok && result.message.kind === 'frame') {
      expect(result.message.image.buffer).toBe(backing.buffer);
      expect(Array.from(result.message.image)).toEqual(Array.from(IMAGE));
    }
  });

  it('accepts a longer header and takes the image from headerLength on (forward compatible)', () => {
    const frame = encodeFrame(SAMPLE_HEADER, Uint8Array.of(0xaa, 0xbb, 1, 2, 3));
    new DataView(frame.buffer).setUint16(2, 34);
    const result = decodeBinary(frame);
    expect(result.ok && result.message.kind === 'frame' && Array.from(result.message.image)).toEqual([1, 2, 3]);
  });

  it('round-trips the edge values of every field', () => {
    const header: FrameHeader = {
      flags: FrameFlag.FULL, seq: 0xffffffff, captureTimeMs: 0, displayId: 255, format: ImageFormat.JPEG, rectIndex: 65535,
      x: 0, y: 65534, width: 65535, height: 1, screenWidth: 65535, screenHeight: 65535,
    };
    const result = decodeBinary(encodeFrame(header, Uint8Array.of(0)));
    expect(result.ok && result.message.kind === 'frame' && result.message.header).toEqual(header);
  });

  it('writeFrameHeader writes into a larger buffer in place', () => {
    const target = new Uint8Array(40).fill(0xee);
    writeFrameHeader(SAMPLE_HEADER, target);
    expect(Array.from(target.subarray(0, 32))).toEqual(GOLDEN_HEADER);
    expect(target[32]).toBe(0xee);
  });
});

function frameWith(edit: (dv: DataView) => void, header: FrameHeader = SAMPLE_HEADER, image: Uint8Array = IMAGE): Uint8Array {
  const bytes = encodeFrame(header, image);
  edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

function ackWith(edit: (dv: DataView) => void): Uint8Array {
  const bytes = encodeFrameAck(42, 1700000000123.5);
  edit(new DataView(bytes.buffer));
  return bytes;
}

describe('malformed binary is refused with RS_ERR_PROTO_MALFORMED, never thrown', () => {
  const valid = encodeFrame(SAMPLE_HEADER, IMAGE);
  const cases: readonly (readonly [string, Uint8Array, string])[] = [
    ['empty', new Uint8Array(0), 'too-short'],
    ['one byte FRAME', Uint8Array.of(0x01), 'too-short'],
    ['frame shorter than its header', valid.subarray(0, 31), 'too-short'],
    ['ack shorter than 16 bytes', encodeFrameAck(1, 1).subarray(0, 15), 'too-short'],
    ['unknown kind 0x00', frameWith((dv) => dv.setUint8(0, 0x00)), 'unknown-kind'],
    ['unknown kind 0x04', frameWith((dv) => dv.setUint8(0, 0x04)), 'unknown-kind'],
    ['a FRAME header (with its flags) under the FILE_CHUNK kind', frameWith((dv) => dv.setUint8(0, 0x03)), 'unknown-flags'],
    ['unknown kind 0xff, one byte', Uint8Array.of(0xff), 'unknown-kind'],
    ['unknown frame flag 0x08', frameWith((dv) => dv.setUint8(1, FrameFlag.LAST | 0x08)), 'unknown-flags'],
    ['unknown frame flag 0x40', frameWith((dv) => dv.setUint8(1, 0x40)), 'unknown-flags'],
    ['SEALED frame', frameWith((dv) => dv.setUint8(1, FrameFlag.SEALED | FrameFlag.LAST)), 'sealed-unexpected'],
    ['SEALED ack', ackWith((dv) => dv.setUint8(1, FrameFlag.SEALED)), 'sealed-unexpected'],
    ['ack with a flag', ackWith((dv) => dv.setUint8(1, FrameFlag.LAST)), 'unknown-flags'],
    ['frame headerLength 31', frameWith((dv) => dv.setUint16(2, 31)), 'bad-header-length'],
    ['frame headerLength 0', frameWith((dv) => dv.setUint16(2, 0)), 'bad-header-length'],
    ['frame headerLength past the end', frameWith((dv) => dv.setUint16(2, 32 + IMAGE.byteLength + 1)), 'bad-header-length'],
    ['ack headerLength 17', ackWith((dv) => dv.setUint16(2, 17)), 'bad-header-length'],
    ['ack one byte too long', Uint8Array.from([...encodeFrameAck(1, 1), 0]), 'bad-header-length'],
    ['unknown format 0', frameWith((dv) => dv.setUint8(17, 0)), 'unknown-format'],
    ['unknown format 4', frameWith((dv) => dv.setUint8(17, 4)), 'unknown-format'],
    ['deflated RGB over 256×256 pixels', encodeFrame({ ...SAMPLE_HEADER, format: ImageFormat.DEFLATED_RGB, x: 0, y: 0, width: 257, height: 256 }, IMAGE), 'deflated-rgb-too-large'],
    ['deflated RGB with SCALED', encodeFrame({ ...SAMPLE_HEADER, format: ImageFormat.DEFLATED_RGB, flags: FrameFlag.LAST | FrameFlag.SCALED, scaledImage: { width: 32, height: 16 } }, IMAGE), 'deflated-rgb-scaled'],
    ['zero width', frameWith(() => undefined, { ...SAMPLE_HEADER, width: 0 }), 'empty-rect'],
    ['zero height', frameWith(() => undefined, { ...SAMPLE_HEADER, height: 0 }), 'empty-rect'],
    ['rect past the right edge', frameWith(() => undefined, { ...SAMPLE_HEADER, x: 1280 - 63 }), 'rect-outside-screen'],
    ['rect past the bottom edge', frameWith(() => undefined, { ...SAMPLE_HEADER, y: 720 - 31 }), 'rect-outside-screen'],
    ['zero-size screen', frameWith(() => undefined, { ...SAMPLE_HEADER, screenWidth: 0, screenHeight: 0 }), 'rect-outside-screen'],
    ['rect at 65535 + width', frameWith(() => undefined, { ...SAMPLE_HEADER, x: 65535, screenWidth: 65535 }), 'rect-outside-screen'],
    ['empty image', encodeFrame(SAMPLE_HEADER, new Uint8Array(0)), 'empty-image'],
    ['empty image after a longer header', frameWith((dv) => dv.setUint16(2, 32 + IMAGE.byteLength)), 'empty-image'],
    ['NaN timestamp', frameWith((dv) => dv.setFloat64(8, NaN)), 'bad-timestamp'],
    ['+Infinity timestamp', frameWith((dv) => dv.setFloat64(8, Infinity)), 'bad-timestamp'],
    ['negative timestamp', frameWith((dv) => dv.setFloat64(8, -1)), 'bad-timestamp'],
    ['NaN ack timestamp', ackWith((dv) => dv.setFloat64(8, NaN)), 'bad-timestamp'],
    ['-Infinity ack timestamp', ackWith((dv) => dv.setFloat64(8, -Infinity)), 'bad-timestamp'],
  ];

  it.each(cases)('%s', (_what, bytes, detail) => {
    expectRefused(bytes, detail);
  });

  it('parseFrame and parseFrameAck refuse the other kind without throwing', () => {
    expect(parseFrame(Uint8Array.from([...GOLDEN_ACK, ...new Uint8Array(20)]))).toBe('unknown-kind');
    expect(parseFrameAck(Uint8Array.from(GOLDEN_HEADER))).toBe('unknown-kind');
  });

  it('a NaN with any payload bits is refused', () => {
    const bytes = encodeFrame(SAMPLE_HEADER, IMAGE);
    bytes.set([0x7f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], 8);
    expectRefused(bytes, 'bad-timestamp');
    bytes.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 8);
    expectRefused(bytes, 'bad-timestamp');
  });
});

describe('the envelope of a sealed session (what the relay checks)', () => {
  const plainFrame = encodeFrame(SAMPLE_HEADER, Uint8Array.from([1, 2, 3]));
  /** A frame as a sealed session sends it: SEALED set, 24 more bytes (the body is not decrypted here). */
  const sealedLike = (plain: Uint8Array, extra = SEALED_OVERHEAD): Uint8Array => {
    const out = new Uint8Array(plain.length + extra);
    out.set(plain);
    out[1] = out[1]! | FrameFlag.SEALED;
    return out;
  };

  it('accepts SEALED frames and acknowledgements only in a sealed session, and plain ones only in a plain one', () => {
    const sealedFrame = sealedLike(plainFrame);
    const sealedAck = sealedLike(encodeFrameAck(1, 2));
    expect(sealedAck.length).toBe(SEALED_FRAME_ACK_LENGTH);
    expect(checkEnvelope(sealedFrame, 'sealed')).toEqual(expect.objectContaining({ kind: BinaryKind.FRAME }));
    expect(checkEnvelope(sealedAck, 'sealed')).toEqual(expect.objectContaining({ kind: BinaryKind.FRAME_ACK }));
    expect(checkEnvelope(sealedFrame, 'plain')).toBe('sealed-unexpected');
    expect(checkEnvelope(sealedAck)).toBe('sealed-unexpected');
    expect(checkEnvelope(plainFrame, 'sealed')).toBe('not-sealed');
    expect(checkEnvelope(encodeFrameAck(1, 2), 'sealed')).toBe('not-sealed');
  });

  it('measures the header and the ack against the length without the 24 bytes of sealing', () => {
    const header = new Uint8Array(FRAME_HEADER_LENGTH);
    writeFrameHeader(SAMPLE_HEADER, header);
    expect(checkEnvelope(sealedLike(header), 'sealed')).toBe('empty-image');
    expect(checkEnvelope(sealedLike(plainFrame, SEALED_OVERHEAD - 3), 'sealed')).toBe('empty-image'); // 3 image bytes, 21 of sealing
    expect(checkEnvelope(sealedLike(encodeFrameAck(1, 2), SEALED_OVERHEAD + 1), 'sealed')).toBe('bad-header-length');
    expect(checkEnvelope(sealedLike(encodeFrameAck(1, 2), SEALED_OVERHEAD - 1), 'sealed')).toBe('bad-header-length');
    const reserved = sealedLike(plainFrame);
    reserved[1] = reserved[1]! | 0x08;
    expect(checkEnvelope(reserved, 'sealed')).toBe('unknown-flags');
  });
});

describe('FILE_CHUNK', () => {
  test('round trip: the transfer number in the envelope, a 53-bit offset, the bytes', () => {
    const data = Uint8Array.of(1, 2, 3);
    const decoded = decodeBinary(encodeFileChunk(7, 2 ** 40 + 5, data));
    expect(decoded).toEqual({ ok: true, message: { kind: 'file-chunk', id: 7, offset: 2 ** 40 + 5, data } });
  });

  test.each([
    ['no data', encodeFileChunk(1, 0, new Uint8Array(0)), 'bad-header-length'],
    ['more than MAX_FILE_CHUNK_BYTES', encodeFileChunk(1, 0, new Uint8Array(MAX_FILE_CHUNK_BYTES + 1)), 'bad-header-length'],
    ['transfer 0', encodeFileChunk(0, 0, new Uint8Array(1)), 'bad-offset'],
    ['an offset past 2^53', (() => { const b = encodeFileChunk(1, 0, new Uint8Array(1)); b[8] = 0xff; return b; })(), 'bad-offset'],
    ['flags', (() => { const b = encodeFileChunk(1, 0, new Uint8Array(1)); b[1] = 0x01; return b; })(), 'unknown-flags'],
  ])('%s is refused', (_what, bytes, detail) => {
    expect(decodeBinary(bytes)).toEqual({ ok: false, error: Errors.PROTO_MALFORMED, detail });
  });

  test('the relay\'s envelope check: sealed only in a sealed session, never in a plain one', () => {
    const plain = encodeFileChunk(1, 0, new Uint8Array(10));
    expect(checkEnvelope(plain, 'sealed')).toBe('not-sealed');
    expect(checkEnvelope(plain, 'plain')).toBe('not-sealed');
  });
});
