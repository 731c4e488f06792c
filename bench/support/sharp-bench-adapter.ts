import type { RawFrame } from '../../client/capture/raw-frame';
import type { Rect } from '../../client/diff/rect';
import { jpegOptions } from '../../client/encode/sharp-encoder-adapter';

/**
 * The benchmarks' own uses of sharp, kept in an adapter file like every native import:
 * drawing a desktop-like test picture, and the channel-swap variants the encode
 * benchmark compares the shipped encoder with.
 */

const WIDTH = 1920;
const HEIGHT = 1080;

function lines(x: number, y: number, count: number, width: number): string {
  const words = 'Invoice customer printer settings network driver update remote support ticket'.split(' ');
  let out = '';
  for (let i = 0; i < count; i++) {
    const text = Array.from({ length: Math.floor(width / 70) }, (_, k) => words[(i * 3 + k) % words.length]).join(' ');
    out += `<text x="${x}" y="${y + i * 22}" font-family="DejaVu Sans" font-size="15" fill="#222">${text}</text>`;
  }
  return out;
}

function window(x: number, y: number, w: number, h: number, title: string): string {
  return `<g><rect x="${x}" y="${y}" width="${w}" height="${h}" fill="#fafafa" stroke="#888"/>`
    + `<rect x="${x}" y="${y}" width="${w}" height="30" fill="#2d5fa8"/>`
    + `<text x="${x + 10}" y="${y + 21}" font-family="DejaVu Sans" font-size="16" fill="#fff">${title}</text>`
    + lines(x + 12, y + 56, Math.floor((h - 50) / 22), w - 20) + '</g>';
}

/**
 * A 1920×1080 picture that looks like a desktop: gradient wallpaper, three windows of
 * text, a task bar and a photo-like noisy area. JPEG cost depends on content, so the
 * encode figures are taken on something like what a technician sees, not on black.
 * Returns PNG bytes.
 */
export async function renderDesktopPng(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">`
    + '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1d3b6e"/><stop offset="1" stop-color="#6aa5d8"/></linearGradient></defs>'
    + `<rect width="${WIDTH}" height="${HEIGHT}" fill="url(#bg)"/>`
    + window(80, 60, 900, 620, 'Facturas - Hoja de calculo')
    + window(1040, 120, 800, 420, 'Correo - Bandeja de entrada')
    + window(420, 560, 1000, 440, 'Notas del tecnico')
    + `<rect x="0" y="${HEIGHT - 40}" width="${WIDTH}" height="40" fill="#202020"/>`
    + `<text x="${WIDTH - 90}" y="${HEIGHT - 14}" font-family="DejaVu Sans" font-size="15" fill="#eee">10:42</text>`
    + '</svg>';
  const photo = await sharp({ create: { width: 420, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .blur(2).png().toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: photo, left: 1380, top: 600 }]).png().toBuffer();
}

/** Decodes a PNG into a BGRA RawFrame, the layout nut-js hands out on X11. */
export async function pngToBgraFrame(png: Buffer): Promise<RawFrame> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i]!;
    data[i] = data[i + 2]!;
    data[i + 2] = r;
    data[i + 3] = 0; // X11 leaves the 4th byte 0
  }
  return { width: info.width, height: info.height, stride: info.width * 4, channelOrder: 'bgra', data };
}

/** The alternative to crop-pixels.ts: hand sharp BGRA and let `.recomb()` swap R and B. */
export async function encodeWithRecomb(frame: RawFrame, rect: Rect, quality: number): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
    .removeAlpha()
    .recomb([[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    .jpeg({ quality, mozjpeg: false })
    .toBuffer();
}

/** sharp on BGRA taken as RGB with no swap: wrong colours, but the floor any swap adds to. */
export async function encodeUnswapped(frame: RawFrame, rect: Rect, quality: number): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
    .removeAlpha()
    .jpeg({ quality, mozjpeg: false })
    .toBuffer();
}

/**
 * RGB pixels as JPEG with the shipped encoder's options (jpegOptions), the Huffman tables chosen:
 * `optimised` per image (sharp's default) or libjpeg's standard ones. The encode
 * benchmark compares the shipped choice with the other one.
 */
export async function encodeRgbWithHuffman(rgb: Uint8Array, width: number, height: number, quality: number, tables: 'optimised' | 'standard'): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg(jpegOptions(quality, tables))
    .toBuffer();
}

/** Decodes a JPEG to RGB pixels, to check an encoder's colours. */
export async function decodeToRgb(jpeg: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
