import { ImageFormat, type ImageFormatValue } from './frame';

export interface ImageSize {
  readonly format: ImageFormatValue;
  readonly width: number;
  readonly height: number;
}

/**
 * Reads the pixel size of a JPEG or PNG from its header bytes, without decoding it.
 * Used where a whole image arrives without a frame header (legacy polling clients post
 * bare base64 screenshots). Returns undefined for anything else or a truncated header.
 */
export function sniffImageSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.byteLength >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    // PNG: 8-byte signature, then the IHDR chunk (length, "IHDR", width, height). Both are
    // checked, so bytes that merely start like a PNG do not yield an arbitrary size.
    if (bytes.byteLength < 24 || !startsWith(bytes, PNG_SIGNATURE, 0) || !startsWith(bytes, IHDR, 12)) return undefined;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const width = dv.getUint32(16);
    const height = dv.getUint32(20);
    return width > 0 && height > 0 ? { format: ImageFormat.PNG, width, height } : undefined;
  }
  if (bytes.byteLength >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return sniffJpeg(bytes);
  return undefined;
}

const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IHDR: readonly number[] = [0x49, 0x48, 0x44, 0x52];

function startsWith(bytes: Uint8Array, expected: readonly number[], at: number): boolean {
  return expected.every((b, i) => bytes[at + i] === b);
}

function sniffJpeg(bytes: Uint8Array): ImageSize | undefined {
  // Walk the marker segments until a start-of-frame (SOF0–SOF15 except DHT/JPG/DAC).
  let i = 2;
  while (i + 4 <= bytes.byteLength) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { i += 1; continue; } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2) return undefined;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > bytes.byteLength) return undefined;
      const height = (bytes[i + 5]! << 8) | bytes[i + 6]!;
      const width = (bytes[i + 7]! << 8) | bytes[i + 8]!;
      return width > 0 && height > 0 ? { format: ImageFormat.JPEG, width, height } : undefined;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any SOF
    i += 2 + length;
  }
  return undefined;
}
