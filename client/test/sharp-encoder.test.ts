import sharp from 'sharp';
import type { Rect } from '../diff/rect';
import { createSharpEncoder } from '../encode/sharp-encoder-adapter';
import { FakeScreenSource, type Rgb } from './support/fake-screen-source';

/**
 * The sharp encoder lends its RGB copies out of a small pool (scratch-buffers.ts): a buffer
 * must not be lent again while an encode still reads it, or one update's JPEG would show
 * another's pixels. Each block below has its own flat colour; encodes of all of them run
 * at once, twice, so the second round reuses the first round's buffers.
 */

const BLOCKS: readonly { rect: Rect; colour: Rgb }[] = [
  { rect: { x: 0, y: 0, width: 160, height: 96 }, colour: [230, 20, 20] },
  { rect: { x: 160, y: 0, width: 160, height: 96 }, colour: [20, 220, 30] },
  { rect: { x: 0, y: 96, width: 160, height: 96 }, colour: [30, 40, 235] },
  { rect: { x: 160, y: 96, width: 160, height: 96 }, colour: [240, 230, 20] },
  { rect: { x: 320, y: 0, width: 96, height: 192 }, colour: [200, 30, 210] },
];

/** The mean colour of a decoded JPEG. */
async function meanColour(jpeg: Uint8Array): Promise<Rgb> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i += info.channels) for (let c = 0; c < 3; c++) sums[c]! += data[i + c]!;
  const pixels = data.length / info.channels;
  return [sums[0]! / pixels, sums[1]! / pixels, sums[2]! / pixels];
}

describe('sharp encoder with reused RGB buffers', () => {
  it('gives each of many encodes at once its own pixels, round after round, whole and halved', async () => {
    const screen = new FakeScreenSource(416, 192, 'bgra');
    for (const { rect, colour } of BLOCKS) screen.paint(rect, colour);
    const frame = await screen.grab();
    const encoder = await createSharpEncoder();
    for (let round = 0; round < 3; round++) {
      const halve = round === 2;
      const jpegs = await Promise.all(BLOCKS.map(({ rect }) => encoder.encode(frame, rect, 90, { halve })));
      for (const [i, jpeg] of jpegs.entries()) {
        const mean = await meanColour(jpeg);
        for (let c = 0; c < 3; c++) expect(Math.abs(mean[c]! - BLOCKS[i]!.colour[c]!)).toBeLessThan(6);
      }
    }
  });
});

/** The luminance DC table of the JPEG standard (ITU T.81 Annex K.3): code counts by length, then symbols. */
const STANDARD_LUMINANCE_DC = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, ...Array.from({ length: 12 }, (_, i) => i)];

/** The class-0 (DC), id-0 (luminance) Huffman table of a baseline JPEG, as counts then symbols. */
function luminanceDcTable(jpeg: Uint8Array): number[] {
  let at = 2; // after SOI
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    if (marker === 0xc4) {
      // One DHT segment may hold several tables.
      let t = at + 4;
      while (t < at + 2 + length) {
        const counts = [...jpeg.subarray(t + 1, t + 17)];
        const symbols = counts.reduce((a, b) => a + b, 0);
        if (jpeg[t] === 0x00) return [...counts, ...jpeg.subarray(t + 17, t + 17 + symbols)];
        t += 17 + symbols;
      }
    }
    if (marker === 0xda) break; // the scan starts: no table after it in a baseline JPEG
    at += 2 + length;
  }
  throw new Error('no luminance DC table before the scan');
}

describe('sharp encoder Huffman tables', () => {
  it('uses the standard tables while the whole screen moves (halved) and tables made for the picture otherwise', async () => {
    const screen = new FakeScreenSource(256, 128, 'bgra');
    screen.paintNoise({ x: 0, y: 0, width: 256, height: 128 }, 7);
    const frame = await screen.grab();
    const encoder = await createSharpEncoder();
    const whole: Rect = { x: 0, y: 0, width: 256, height: 128 };
    // Halved: CPU counts most while everything moves, and the optimising pass is a third of it.
    expect(luminanceDcTable(await encoder.encode(frame, whole, 70, { halve: true }))).toEqual(STANDARD_LUMINANCE_DC);
    // Otherwise the fewer bytes of tables made for this picture.
    expect(luminanceDcTable(await encoder.encode(frame, whole, 70))).not.toEqual(STANDARD_LUMINANCE_DC);
  });
});
