import { createJpegJsEncoder } from '../client/encode/jpeg-js-encoder-adapter';
import type { RectEncoder } from '../client/encode/rect-encoder';
import { createSharpEncoder } from '../client/encode/sharp-encoder-adapter';
import { cropToRgb } from '../client/encode/crop-pixels';
import { cropToRgbHalf, halvedSize } from '../client/encode/crop-half';
import type { RawFrame } from '../client/capture/raw-frame';
import type { Rect } from '../client/diff/rect';
import { loadavg } from 'node:os';
import { splitIntoBands } from '../client/encode/split-bands';
import { deflateSmallRect } from '../client/encode/deflated-rgb';
import { DEFAULT_STREAMER_OPTIONS } from '../client/stream/frame-streamer-options';
import { median, timeInterleaved, timeRuns, type Benchmark, type BenchRow } from './support/benchmark';
import { decodeToRgb, encodeRgbWithHuffman, encodeUnswapped, encodeWithRecomb, pngToBgraFrame, renderDesktopPng } from './support/sharp-bench-adapter';

const QUALITY = 70;
/** Rounds of the band comparison; each encodes the frame once in one piece and once in bands. */
const BAND_ROUNDS = 30;

/** Fails the bench if an encoder's output does not show the picture's real colours. */
async function checkColours(frame: RawFrame, rect: Rect, jpeg: Uint8Array, name: string): Promise<void> {
  const expected = cropToRgb(frame, rect);
  const { data } = await decodeToRgb(jpeg);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff += Math.abs(expected[i]! - data[i]!);
  const meanError = diff / expected.length;
  // JPEG q70 on this picture errs by ~2–4 levels; swapped red and blue by far more.
  if (meanError > 12) throw new Error(`${name}: mean error ${meanError.toFixed(1)} levels: wrong colours?`);
}

const bench: Benchmark = {
  name: 'encode',
  description: `JPEG q${QUALITY} of a 1080p BGRA desktop picture and of one 64×64 tile: sharp (shipped path) vs jpeg-js; small rectangles as deflated RGB vs sharp`,
  async run(log) {
    const frame = await pngToBgraFrame(await renderDesktopPng());
    const full: Rect = { x: 0, y: 0, width: frame.width, height: frame.height };
    const tile: Rect = { x: 512, y: 128, width: 64, height: 64 };
    const sharp = await createSharpEncoder();
    const jpegJs = await createJpegJsEncoder();
    const encodeWith = (e: RectEncoder, r: Rect) => () => e.encode(frame, r, QUALITY);

    await checkColours(frame, full, await sharp.encode(frame, full, QUALITY), 'sharp');
    await checkColours(frame, full, await jpegJs.encode(frame, full, QUALITY), 'jpeg-js');
    await checkColours(frame, full, await encodeWithRecomb(frame, full, QUALITY), 'recomb');

    log('sharp, full frame');
    const sharpFull = median(await timeRuns(20, encodeWith(sharp, full)));
    // The streamer's own cut (split-bands.ts), as with encodeParallelism 2: two bands of 1920x544 and 1920x536.
    const bands = splitIntoBands(full, { maxBands: 2, minBandPixels: DEFAULT_STREAMER_OPTIONS.minBandPixels });
    if (bands.length !== 2) throw new Error(`expected 2 bands, got ${bands.length}`);
    log(`one piece vs ${bands.length} bands, ${BAND_ROUNDS} rounds alternating; load ${loadavg()[0]!.toFixed(2)}`);
    const [onePiece, inBands] = await timeInterleaved(BAND_ROUNDS, [
      encodeWith(sharp, full),
      () => Promise.all(bands.map((b) => sharp.encode(frame, b, QUALITY))),
    ]);
    const bandLoad = loadavg()[0]!;
    const wall = (t: readonly { wallMs: number }[]): number => median(t.map((x) => x.wallMs));
    const cpu = (t: readonly { cpuMs: number }[]): number => median(t.map((x) => x.cpuMs));
    const isDefault = (n: number): string => (DEFAULT_STREAMER_OPTIONS.encodeParallelism === n ? ' (streamer default)' : '');
    log('jpeg-js, full frame');
    const jsFull = median(await timeRuns(5, encodeWith(jpegJs, full), 1));
    const sharpTile = median(await timeRuns(200, encodeWith(sharp, tile), 10));
    const jsTile = median(await timeRuns(200, encodeWith(jpegJs, tile), 10));
    log('BGRA handling variants');
    const crop = median(await timeRuns(20, () => cropToRgb(frame, full)));
    const recomb = median(await timeRuns(10, () => encodeWithRecomb(frame, full, QUALITY)));
    const unswapped = median(await timeRuns(20, () => encodeUnswapped(frame, full, QUALITY)));
    // Small rectangles as the streamer sends them to a page that takes FRAME format 3: deflated RGB, else JPEG.
    log('small rectangles: deflated RGB vs sharp');
    const smallRects: Rect[] = [tile, { x: 512, y: 128, width: 200, height: 20 }, { x: 512, y: 128, width: 128, height: 128 }];
    const smallRows: BenchRow[] = [];
    for (const rect of smallRects) {
      const deflated = deflateSmallRect(frame, rect);
      const jpegBytes = (await sharp.encode(frame, rect, QUALITY)).byteLength;
      const [viaDeflate, viaSharp] = await timeInterleaved(100, [
        async () => { deflateSmallRect(frame, rect); },
        encodeWith(sharp, rect),
      ]);
      smallRows.push({
        case: `${rect.width}x${rect.height} at ${rect.x},${rect.y}: deflated RGB (encode/deflated-rgb.ts, on the calling thread), wall time`,
        value: wall(viaDeflate!), unit: 'ms', baseline: { name: `sharp JPEG q${QUALITY}`, value: wall(viaSharp!) },
        note: deflated === undefined
          ? `over a byte a pixel: sent as the ${jpegBytes} B JPEG`
          : `${deflated.byteLength} B lossless against ${jpegBytes} B JPEG; CPU ${cpu(viaDeflate!).toFixed(2)} against ${cpu(viaSharp!).toFixed(2)} ms; median of 100 rounds alternating`,
      });
    }
    // Huffman tables: the shipped encoder against the other choice, crop included either
    // way. A whole screen in motion goes out (2 bands, halved) with libjpeg's standard
    // tables; a window-sized change with tables optimised per image (sharp-encoder-adapter.ts).
    log('Huffman tables: the shipped choice vs the other');
    const huffmanRows: BenchRow[] = [];
    const huffmanCases: { name: string; rects: readonly Rect[]; halve: boolean; other: 'optimised' | 'standard' }[] = [
      { name: '1920x1080 in motion (2 bands, halved)', rects: bands, halve: true, other: 'optimised' },
      { name: '400x300 window of text at 100,100', rects: [{ x: 100, y: 100, width: 400, height: 300 }], halve: false, other: 'standard' },
    ];
    const tablesName = { optimised: 'tables optimised per image', standard: "libjpeg's standard tables" } as const;
    for (const { name, rects, halve, other } of huffmanCases) {
      const shippedTables = other === 'optimised' ? 'standard' : 'optimised';
      const shipped = () => Promise.all(rects.map((r) => sharp.encode(frame, r, QUALITY, halve ? { halve: true } : undefined)));
      // Its RGB copies made once, as the shipped encoder lends its own from a pool.
      const sizes = rects.map((r) => (halve ? halvedSize(r) : r));
      const copies = sizes.map(({ width, height }) => new Uint8Array(width * height * 3));
      const otherChoice = () => Promise.all(rects.map((r, i) => {
        const rgb = halve ? cropToRgbHalf(frame, r, copies[i]) : cropToRgb(frame, r, copies[i]);
        return encodeRgbWithHuffman(rgb, sizes[i]!.width, sizes[i]!.height, QUALITY, other);
      }));
      const bytesOf = async (encode: () => Promise<Uint8Array[]>) => (await encode()).reduce((sum, b) => sum + b.byteLength, 0);
      const [shippedBytes, otherBytes] = [await bytesOf(shipped), await bytesOf(otherChoice)];
      const [viaShipped, viaOther] = await timeInterleaved(BAND_ROUNDS, [shipped, otherChoice]);
      huffmanRows.push({
        case: `${name}: JPEG q${QUALITY} with ${tablesName[shippedTables]} (shipped), CPU time (all threads)`,
        value: cpu(viaShipped!), unit: 'ms', baseline: { name: tablesName[other], value: cpu(viaOther!) },
        note: `${shippedBytes} B against ${otherBytes} B (${(shippedBytes / otherBytes).toFixed(3)}×); wall ${wall(viaShipped!).toFixed(2)} against ${wall(viaOther!).toFixed(2)} ms; median of ${BAND_ROUNDS} rounds alternating`,
      });
    }
    const sharpBytes = (await sharp.encode(frame, full, QUALITY)).byteLength;
    const jsBytes = (await jpegJs.encode(frame, full, QUALITY)).byteLength;

    const rows: BenchRow[] = [
      { case: `sharp 1920x1080 q${QUALITY} (BGRA→RGB in JS + sharp)`, value: sharpFull, unit: 'ms', baseline: { name: 'jpeg-js', value: jsFull }, note: `${sharpBytes} B vs ${jsBytes} B` },
      {
        case: `sharp 1920x1080 as 2 bands encoded at once${isDefault(2)}, wall time`, value: wall(inBands!), unit: 'ms',
        baseline: { name: `one piece${isDefault(1)}, same rounds`, value: wall(onePiece!) },
        note: `sharp encodes one image on one thread; median of ${BAND_ROUNDS} rounds alternating; load ${bandLoad.toFixed(1)}`,
      },
      {
        case: `sharp 1920x1080 as 2 bands${isDefault(2)}, CPU time (all threads)`, value: cpu(inBands!), unit: 'ms',
        baseline: { name: `one piece${isDefault(1)}, same rounds`, value: cpu(onePiece!) },
        note: 'what the other work on a busy machine loses; each band crops and encodes on its own',
      },
      { case: 'sharp 64x64 tile', value: sharpTile, unit: 'ms', baseline: { name: 'jpeg-js', value: jsTile }, note: 'fixed cost per call: merge tiles' },
      { case: 'of which BGRA→RGB crop (crop-pixels.ts)', value: crop, unit: 'ms', baseline: { name: 'whole sharp path', value: sharpFull } },
      { case: 'alternative: sharp .recomb() swap', value: recomb, unit: 'ms', baseline: { name: 'shipped sharp path', value: sharpFull }, note: 'correct colours, slower' },
      { case: 'floor: sharp without any swap (wrong colours)', value: unswapped, unit: 'ms', baseline: { name: 'shipped sharp path', value: sharpFull } },
      ...smallRows,
      ...huffmanRows,
    ];
    return rows;
  },
};

export default bench;
