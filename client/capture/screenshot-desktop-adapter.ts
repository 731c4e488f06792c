import type { RawFrame } from './raw-frame';
import type { ScreenSource } from './screen-source';

/**
 * Fallback capture through `screenshot-desktop`, which runs an external tool per call
 * (ImageMagick `import` on Linux, a .NET helper on Windows) and returns an encoded image.
 * ≈234 ms a 1080p frame: far from real time, but it works where nut-js cannot load.
 *
 * The image is decoded back to pixels because the diff needs them. PNG + sharp keeps the
 * pixels exact (so a still screen diffs as still); where sharp is missing, JPEG + jpeg-js
 * still works but JPEG noise makes a still screen look slightly changed now and then.
 */

interface Decoder {
  readonly format: 'png' | 'jpg';
  decode(bytes: Buffer): Promise<RawFrame>;
}

async function sharpDecoder(): Promise<Decoder> {
  const { default: sharp } = await import('sharp');
  return {
    format: 'png',
    async decode(bytes) {
      const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, stride: info.width * 4, channelOrder: 'rgba', data };
    },
  };
}

async function jpegJsDecoder(): Promise<Decoder> {
  const jpeg = await import('jpeg-js');
  return {
    format: 'jpg',
    async decode(bytes) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 200, maxMemoryUsageInMB: 1024 });
      return { width: image.width, height: image.height, stride: image.width * 4, channelOrder: 'rgba', data: image.data };
    },
  };
}

/** Loads screenshot-desktop and a decoder, and checks that one grab works. */
export async function createScreenshotDesktopSource(): Promise<ScreenSource> {
  const { default: screenshot } = await import('screenshot-desktop');
  const decoder = await sharpDecoder().catch(() => jpegJsDecoder());
  const grab = async (): Promise<RawFrame> => decoder.decode(await screenshot({ format: decoder.format }));
  await grab();
  return { name: `screenshot-desktop/${decoder.format}`, grab };
}
