/**
 * Binary messages. Every binary WebSocket message starts with the same 8-byte envelope
 * (kind, flags, header length, sequence), which is all the relay reads to route it;
 * the rest is the body. Between peers of version 2 the body is sealed (flag SEALED): the
 * envelope, then an 8-byte record number, then the body encrypted, then a 16-byte tag
 * (PROTOCOL.md §12.4). `headerLength` always describes the body before sealing.
 *
 * All multi-byte integers are big-endian (network order); the timestamp is an IEEE-754
 * float64, big-endian.
 *
 * FRAME (client → technician): one rectangle of one screen update.
 *
 * | offset | size | field          | notes                                                 |
 * |-------:|-----:|----------------|-------------------------------------------------------|
 * |      0 |    1 | kind           | 0x01                                                  |
 * |      1 |    1 | flags          | bit0 FULL, bit1 LAST, bit2 SCALED, bit7 SEALED        |
 * |      2 |    2 | headerLength   | 32 (36 with SCALED); the image starts at this offset  |
 * |      4 |    4 | seq            | update number, uint32, +1 per update, wraps at 2^32   |
 * |      8 |    8 | captureTimeMs  | float64 ms since the Unix epoch, client clock         |
 * |     16 |    1 | displayId      | which display this came from                          |
 * |     17 |    1 | format         | 1 = JPEG, 2 = PNG, 3 = deflated RGB (below)           |
 * |     18 |    2 | rectIndex      | 0-based index of this rectangle within the update     |
 * |     20 |    2 | x              | rectangle left, screen pixels                         |
 * |     22 |    2 | y              | rectangle top                                         |
 * |     24 |    2 | width          | rectangle width (≥ 1)                                 |
 * |     26 |    2 | height         | rectangle height (≥ 1)                                |
 * |     28 |    2 | screenWidth    | whole screen width; a change means the screen resized |
 * |     30 |    2 | screenHeight   | whole screen height                                   |
 * |     32 |    … | image          | encoded bytes of the rectangle, `format`              |
 *
 * With SCALED (only to a page that announced the `scaled-frames` feature) the image is
 * smaller than the rectangle and is drawn stretched into it; two more fields say its size,
 * and the image follows them:
 *
 * | offset | size | field          | notes                                                 |
 * |-------:|-----:|----------------|-------------------------------------------------------|
 * |     32 |    2 | imageWidth     | 1 ≤ imageWidth ≤ width, width ≤ 8 × imageWidth        |
 * |     34 |    2 | imageHeight    | the same for height; smaller on at least one axis     |
 * |     36 |    … | image          | encoded bytes, imageWidth × imageHeight pixels        |
 *
 * Format 3, deflated RGB (only to a page that announced the `deflated-rgb` feature): the
 * pixels themselves, 3 bytes each (R, G, B), rows top to bottom with no padding, compressed
 * as raw DEFLATE (RFC 1951, no zlib or gzip wrapper). Lossless and decoded at once, for
 * small rectangles (a typed letter, a caret, a button): at most
 * MAX_DEFLATED_RGB_PIXELS pixels, never with SCALED.
 *
 * FRAME_ACK (technician → client): sent once the LAST rectangle of update `seq` is drawn.
 *
 * | offset | size | field          | notes                                                 |
 * |-------:|-----:|----------------|-------------------------------------------------------|
 * |      0 |    1 | kind           | 0x02                                                  |
 * |      1 |    1 | flags          | 0 (SEALED when sealed)                                |
 * |      2 |    2 | headerLength   | 16                                                    |
 * |      4 |    4 | seq            | the update acknowledged                               |
 * |      8 |    8 | captureTimeMs  | echoed from the frame, so the client measures lag      |
 */

export const BinaryKind = Object.freeze({ FRAME: 0x01, FRAME_ACK: 0x02, FILE_CHUNK: 0x03 } as const);
export type BinaryKindValue = (typeof BinaryKind)[keyof typeof BinaryKind];

export const FrameFlag = Object.freeze({
  /** The update covers the whole screen: a full refresh the viewer can start from. */
  FULL: 0x01,
  /** Last rectangle of its update: draw, then acknowledge `seq`. */
  LAST: 0x02,
  /**
   * The image is smaller than the rectangle (the agent lowered the resolution while the
   * whole screen moves): the header is 36 bytes and says the image's size; draw it
   * stretched into the rectangle. Sent only to a page that announced `scaled-frames`.
   */
  SCALED: 0x04,
  /** The body after the envelope is sealed end to end (version 2 sessions). */
  SEALED: 0x80,
} as const);

export const ImageFormat = Object.freeze({ JPEG: 1, PNG: 2, DEFLATED_RGB: 3 } as const);
export type ImageFormatValue = (typeof ImageFormat)[keyof typeof ImageFormat];

export const ENVELOPE_LENGTH = 8;
export const FRAME_HEADER_LENGTH = 32;
export const FRAME_ACK_LENGTH = 16;
/** A FRAME header with SCALED: the 32 bytes, then imageWidth and imageHeight. */
export const SCALED_FRAME_HEADER_LENGTH = 36;
/**
 * A SCALED image is at most this many times smaller than its rectangle on each axis. The
 * agent halves; anything much smaller is no picture a technician could use, only a way to
 * make a page stretch a few bytes over the whole screen.
 */
export const MAX_SCALE_FACTOR = 8;
const KNOWN_FLAGS = FrameFlag.FULL | FrameFlag.LAST | FrameFlag.SCALED;
/**
 * The largest rectangle a deflated-RGB image may cover (256×256, 192 KiB once inflated): the
 * format is meant for small changes, and the bound keeps a hostile agent from making a page
 * inflate a screen-sized buffer out of a few bytes.
 */
export const MAX_DEFLATED_RGB_PIXELS = 65_536;
/** A sealed binary message: the record number after the envelope, the AEAD tag at the end. */
export const SEALED_RECORD_NUMBER_LENGTH = 8;
export const SEALED_TAG_LENGTH = 16;
/** Bytes sealing adds to a binary message. */
export const SEALED_OVERHEAD = SEALED_RECORD_NUMBER_LENGTH + SEALED_TAG_LENGTH;
/** A sealed FRAME_ACK: exactly this long. */
export const SEALED_FRAME_ACK_LENGTH = FRAME_ACK_LENGTH + SEALED_OVERHEAD;

/** Whether binary messages of a session are sealed: the relay checks each one against its session. */
export type BinarySealing = 'plain' | 'sealed' | 'plain-file-check';

export interface FrameHeader {
  readonly flags: number;
  readonly seq: number;
  readonly captureTimeMs: number;
  readonly displayId: number;
  readonly format: ImageFormatValue;
  readonly rectIndex: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly screenWidth: number;
  readonly screenHeight: number;
  /** With SCALED only: the image's own size, smaller than the rectangle (see the table above). */
  readonly scaledImage?: { readonly width: number; readonly height: number };
}

/** The pixel size the rectangle's image must decode to: its own size, or the declared one with SCALED. */
export function expectedImageSize(header: FrameHeader): { readonly width: number; readonly height: number } {
  return header.scaledImage ?? { width: header.width, height: header.height };
}

export interface FrameMessage {
  readonly kind: 'frame';
  readonly header: FrameHeader;
  /** A view into the message bytes (not a copy). */
  readonly image: Uint8Array;
}

export interface FrameAckMessage {
  readonly kind: 'frame-ack';
  readonly seq: number;
  readonly captureTimeMs: number;
}

/**
 * FILE_CHUNK (either way, sealed sessions only, PROTOCOL.md §6.7): bytes of a file at
 * `offset`. The envelope's `seq` is the transfer number; the relay routes it on the
 * envelope like a frame, but never drops it (the transfer's window bounds it instead).
 */
export interface FileChunkMessage {
  readonly kind: 'file-chunk';
  readonly id: number;
  readonly offset: number;
  /** A view into the message bytes (not a copy). */
  readonly data: Uint8Array;
}

export type BinaryMessage = FrameMessage | FrameAckMessage | FileChunkMessage;

/** A FILE_CHUNK's header: the envelope and the offset (uint64, big-endian). */
export const FILE_CHUNK_HEADER_LENGTH = 16;
/** Most file bytes in one FILE_CHUNK. */
export const MAX_FILE_CHUNK_BYTES = 64 * 1024;
/** Offsets stay exact JavaScript integers. */
const MAX_FILE_OFFSET = Number.MAX_SAFE_INTEGER;

/** The cleartext envelope, enough to route a binary message without reading its body. */
export interface BinaryEnvelope {
  readonly kind: number;
  readonly flags: number;
  readonly headerLength: number;
  readonly seq: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads the 8-byte envelope, or returns undefined when there are fewer than 8 bytes. */
export function readEnvelope(bytes: Uint8Array): BinaryEnvelope | undefined {
  if (bytes.byteLength < ENVELOPE_LENGTH) return undefined;
  const dv = view(bytes);
  return { kind: dv.getUint8(0), flags: dv.getUint8(1), headerLength: dv.getUint16(2), seq: dv.getUint32(4) };
}

/**
 * Reads and checks the envelope alone, which is all a relay may look at: a known kind,
 * only the flags that kind allows, SEALED exactly when the session seals, and a header
 * length that fits the message (a FRAME with at least one body byte after its header, a
 * FRAME_ACK of exactly its 16 bytes; sealed, the same once the 24 bytes of sealing are
 * taken off). Returns the envelope, or the problem. Never reads past byte 8.
 */
export function checkEnvelope(bytes: Uint8Array, sealing: BinarySealing = 'plain'): BinaryEnvelope | BinaryProblem {
  const envelope = readEnvelope(bytes);
  if (envelope === undefined) return 'too-short';
  const { kind, flags, headerLength } = envelope;
  const sealed = (flags & FrameFlag.SEALED) !== 0;
  if (kind !== BinaryKind.FRAME && kind !== BinaryKind.FRAME_ACK && kind !== BinaryKind.FILE_CHUNK) return 'unknown-kind';
  if (sealed && sealing === 'plain') return 'sealed-unexpected';
  if (!sealed && sealing === 'sealed') return 'not-sealed';
  const bodyFlags = flags & ~FrameFlag.SEALED;
  const plainLength = sealed ? bytes.byteLength - SEALED_OVERHEAD : bytes.byteLength;
  if (kind === BinaryKind.FRAME) {
    if (bodyFlags & ~KNOWN_FLAGS) return 'unknown-flags';
    const minHeader = bodyFlags & FrameFlag.SCALED ? SCALED_FRAME_HEADER_LENGTH : FRAME_HEADER_LENGTH;
    if (headerLength < minHeader || headerLength > plainLength) return 'bad-header-length';
    if (headerLength === plainLength) return 'empty-image';
    return envelope;
  }
  if (bodyFlags !== 0) return 'unknown-flags';
  if (kind === BinaryKind.FILE_CHUNK) {
    // File chunks travel only sealed: a file is never sent in clear.
    if (!sealed && sealing !== 'plain-file-check') return 'not-sealed';
    if (headerLength !== FILE_CHUNK_HEADER_LENGTH || plainLength <= FILE_CHUNK_HEADER_LENGTH) return 'bad-header-length';
    if (plainLength > FILE_CHUNK_HEADER_LENGTH + MAX_FILE_CHUNK_BYTES) return 'bad-header-length';
    return envelope;
  }
  if (headerLength !== FRAME_ACK_LENGTH || plainLength !== FRAME_ACK_LENGTH) return 'bad-header-length';
  return envelope;
}

/** The header length `header` is written with: 36 bytes when it says SCALED, else 32. */
export function frameHeaderLength(header: FrameHeader): number {
  return header.flags & FrameFlag.SCALED ? SCALED_FRAME_HEADER_LENGTH : FRAME_HEADER_LENGTH;
}

/**
 * Writes a frame header into the first {@link frameHeaderLength} bytes of `target`. SCALED
 * and `scaledImage` go together: one without the other is a bug of the caller, thrown.
 */
export function writeFrameHeader(header: FrameHeader, target: Uint8Array): void {
  const scaled = (header.flags & FrameFlag.SCALED) !== 0;
  if (scaled !== (header.scaledImage !== undefined)) throw new Error('frame header: SCALED and scaledImage go together');
  const dv = view(target);
  dv.setUint8(0, BinaryKind.FRAME);
  dv.setUint8(1, header.flags & 0xff);
  dv.setUint16(2, frameHeaderLength(header));
  dv.setUint32(4, header.seq >>> 0);
  dv.setFloat64(8, header.captureTimeMs);
  dv.setUint8(16, header.displayId);
  dv.setUint8(17, header.format);
  dv.setUint16(18, header.rectIndex);
  dv.setUint16(20, header.x);
  dv.setUint16(22, header.y);
  dv.setUint16(24, header.width);
  dv.setUint16(26, header.height);
  dv.setUint16(28, header.screenWidth);
  dv.setUint16(30, header.screenHeight);
  if (header.scaledImage !== undefined) {
    dv.setUint16(32, header.scaledImage.width);
    dv.setUint16(34, header.scaledImage.height);
  }
}

/** Builds a whole FRAME message: header followed by the image bytes (copied once). */
export function encodeFrame(header: FrameHeader, image: Uint8Array): Uint8Array {
  const headerLength = frameHeaderLength(header);
  const out = new Uint8Array(headerLength + image.byteLength);
  writeFrameHeader(header, out);
  out.set(image, headerLength);
  return out;
}

export function encodeFrameAck(seq: number, captureTimeMs: number): Uint8Array {
  const out = new Uint8Array(FRAME_ACK_LENGTH);
  const dv = view(out);
  dv.setUint8(0, BinaryKind.FRAME_ACK);
  dv.setUint8(1, 0);
  dv.setUint16(2, FRAME_ACK_LENGTH);
  dv.setUint32(4, seq >>> 0);
  dv.setFloat64(8, captureTimeMs);
  return out;
}

export type BinaryProblem =
  | 'too-short' | 'unknown-kind' | 'bad-header-length' | 'unknown-flags' | 'sealed-unexpected' | 'not-sealed'
  | 'unknown-format' | 'empty-rect' | 'rect-outside-screen' | 'empty-image' | 'bad-timestamp' | 'bad-scaled-size' | 'bad-offset'
  | 'deflated-rgb-too-large' | 'deflated-rgb-scaled';

/** Parses a FRAME; on failure returns the problem. Never throws. */
export function parseFrame(bytes: Uint8Array): FrameMessage | BinaryProblem {
  if (bytes.byteLength < FRAME_HEADER_LENGTH) return 'too-short';
  if (bytes[0] !== BinaryKind.FRAME) return 'unknown-kind';
  // The envelope's own rules (flags, header length, a body) first, as the relay applies them.
  const envelope = checkEnvelope(bytes);
  if (typeof envelope === 'string') return envelope;
  const dv = view(bytes);
  const format = dv.getUint8(17);
  if (format !== ImageFormat.JPEG && format !== ImageFormat.PNG && format !== ImageFormat.DEFLATED_RGB) return 'unknown-format';
  const captureTimeMs = dv.getFloat64(8);
  if (!Number.isFinite(captureTimeMs) || captureTimeMs < 0) return 'bad-timestamp';
  const scaled = (envelope.flags & FrameFlag.SCALED) !== 0;
  const header: FrameHeader = {
    flags: envelope.flags,
    seq: envelope.seq,
    captureTimeMs,
    displayId: dv.getUint8(16),
    format,
    rectIndex: dv.getUint16(18),
    x: dv.getUint16(20),
    y: dv.getUint16(22),
    width: dv.getUint16(24),
    height: dv.getUint16(26),
    screenWidth: dv.getUint16(28),
    screenHeight: dv.getUint16(30),
    ...(scaled ? { scaledImage: { width: dv.getUint16(32), height: dv.getUint16(34) } } : {}),
  };
  if (header.width === 0 || header.height === 0) return 'empty-rect';
  if (header.x + header.width > header.screenWidth || header.y + header.height > header.screenHeight) {
    return 'rect-outside-screen';
  }
  if (header.scaledImage !== undefined && !scaledSizeFits(header.scaledImage, header)) return 'bad-scaled-size';
  if (format === ImageFormat.DEFLATED_RGB) {
    if (header.width * header.height > MAX_DEFLATED_RGB_PIXELS) return 'deflated-rgb-too-large';
    // Drawn pixel for pixel: a stretched image has no use for a lossless format.
    if (scaled) return 'deflated-rgb-scaled';
  }
  return { kind: 'frame', header, image: bytes.subarray(envelope.headerLength) };
}

/**
 * A SCALED image's declared size is sound: not zero, not larger than its rectangle on
 * either axis, smaller on at least one (else SCALED means nothing), and at most
 * {@link MAX_SCALE_FACTOR} times smaller on each.
 */
function scaledSizeFits(image: { readonly width: number; readonly height: number }, rect: { readonly width: number; readonly height: number }): boolean {
  const axisFits = (small: number, big: number): boolean => small >= 1 && small <= big && big <= small * MAX_SCALE_FACTOR;
  return axisFits(image.width, rect.width) && axisFits(image.height, rect.height)
    && (image.width < rect.width || image.height < rect.height);
}

/** Parses a FRAME_ACK; on failure returns the problem. Never throws. */
export function parseFrameAck(bytes: Uint8Array): FrameAckMessage | BinaryProblem {
  if (bytes.byteLength < FRAME_ACK_LENGTH) return 'too-short';
  if (bytes[0] !== BinaryKind.FRAME_ACK) return 'unknown-kind';
  const envelope = checkEnvelope(bytes);
  if (typeof envelope === 'string') return envelope;
  const captureTimeMs = view(bytes).getFloat64(8);
  if (!Number.isFinite(captureTimeMs) || captureTimeMs < 0) return 'bad-timestamp';
  return { kind: 'frame-ack', seq: envelope.seq, captureTimeMs };
}

/** A FILE_CHUNK in clear (sealed before it is sent: sealBinary). */
export function encodeFileChunk(id: number, offset: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(FILE_CHUNK_HEADER_LENGTH + data.length);
  const dv = view(out);
  dv.setUint8(0, BinaryKind.FILE_CHUNK);
  dv.setUint8(1, 0);
  dv.setUint16(2, FILE_CHUNK_HEADER_LENGTH);
  dv.setUint32(4, id >>> 0);
  dv.setUint32(8, Math.floor(offset / 2 ** 32));
  dv.setUint32(12, offset >>> 0);
  out.set(data, FILE_CHUNK_HEADER_LENGTH);
  return out;
}

/** Parses a FILE_CHUNK opened from its seal (its envelope without SEALED); on failure returns the problem. Never throws. */
export function parseFileChunk(bytes: Uint8Array): FileChunkMessage | BinaryProblem {
  if (bytes.byteLength < FILE_CHUNK_HEADER_LENGTH) return 'too-short';
  if (bytes[0] !== BinaryKind.FILE_CHUNK) return 'unknown-kind';
  const envelope = checkEnvelope(bytes, 'plain-file-check');
  if (typeof envelope === 'string') return envelope;
  const dv = view(bytes);
  const high = dv.getUint32(8);
  const offset = high * 2 ** 32 + dv.getUint32(12);
  if (high > 0x1fffff || offset > MAX_FILE_OFFSET) return 'bad-offset';
  if (envelope.seq === 0) return 'bad-offset';
  return { kind: 'file-chunk', id: envelope.seq, offset, data: bytes.subarray(FILE_CHUNK_HEADER_LENGTH) };
}
