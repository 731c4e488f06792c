import { expectedImageSize, ImageFormat, type FrameHeader, type FrameMessage } from '../../../protocol';
import { inflateRgbToRgba } from './deflated-rgb';
import type { RectSink } from './update-pipeline';

/**
 * A decoded rectangle: a bitmap from the browser's image decoder (JPEG, PNG), or the pixels
 * of a deflated-RGB rectangle (format 3), ready to put without any decoder.
 */
export type DecodedRect = ImageBitmap | ImageData;

/**
 * Why a decoded image does not belong in its rectangle, or undefined when it does: it must
 * have exactly the size the header promises, the rectangle's own, or with SCALED the smaller
 * size the header declares (checked sound by parseFrame). Anything else is a broken or
 * hostile agent: the rectangle is dropped (and a refresh asked), never stretched or cut.
 */
export function decodedSizeProblem(header: FrameHeader, width: number, height: number): string | undefined {
  const expected = expectedImageSize(header);
  if (width === expected.width && height === expected.height) return undefined;
  return `image ${width}x${height} where the frame header says ${expected.width}x${expected.height}`;
}

/**
 * Decodes a rectangle: format 3 (deflated RGB) here and now, into an ImageData (it is small:
 * parseFrame bounds it, and never SCALED); a JPEG or PNG with {@link decodeRectBitmap}.
 * Rejects when the pixels do not fill the rectangle exactly.
 */
export async function decodeRect(frame: FrameMessage): Promise<DecodedRect> {
  if (frame.header.format !== ImageFormat.DEFLATED_RGB) return decodeRectBitmap(frame);
  const { width, height } = frame.header;
  return new ImageData(inflateRgbToRgba(frame.image, width, height), width, height);
}

/**
 * Decodes a rectangle with `createImageBitmap`, which decodes the JPEG/PNG off the main
 * thread in Chromium and Firefox, so the page stays responsive while frames stream.
 * Colour-space conversion is off: the remote pixels are drawn as they were captured.
 * Rejects when the image's size is not the one its header says (see decodedSizeProblem).
 */
export async function decodeRectBitmap(frame: FrameMessage): Promise<ImageBitmap> {
  const type = frame.header.format === ImageFormat.PNG ? 'image/png' : 'image/jpeg';
  // The image is a view into the socket's buffer; the Blob copies just those bytes.
  const blob = new Blob([frame.image as Uint8Array<ArrayBuffer>], { type });
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const problem = decodedSizeProblem(frame.header, bitmap.width, bitmap.height);
  if (problem === undefined) return bitmap;
  bitmap.close();
  throw new RangeError(problem);
}

/** Called after the canvas took a new remote screen size. */
export type ResizeListener = (width: number, height: number) => void;

/**
 * The remote screen: a canvas whose backing store is exactly the remote screen's pixels.
 * How big it looks (fit, 1:1) is the UI's business through CSS; drawing never scales.
 */
export class CanvasDisplay implements RectSink<DecodedRect> {
  private readonly context: CanvasRenderingContext2D;
  private readonly resizeListeners = new Set<ResizeListener>();
  /** At least one frame set the size (before that the canvas is a 1×1 placeholder). */
  hasImage = false;

  constructor(readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d', { alpha: false });
    if (context === null) throw new Error('2d canvas is not available');
    this.context = context;
  }

  /** Remote screen width in pixels (0 before the first frame). */
  get width(): number {
    return this.hasImage ? this.canvas.width : 0;
  }

  get height(): number {
    return this.hasImage ? this.canvas.height : 0;
  }

  resize(width: number, height: number): void {
    // Setting the size clears the canvas; the update that changed the size is a full one.
    this.canvas.width = width;
    this.canvas.height = height;
    this.hasImage = true;
    for (const listener of [...this.resizeListeners]) listener(width, height);
  }

  draw(image: DecodedRect, header: FrameHeader): void {
    if (image instanceof ImageData) {
      // Deflated RGB: exactly the rectangle's pixels (decodeRect made them so), put as they are.
      this.context.putImageData(image, header.x, header.y);
      return;
    }
    // Draw into the rectangle the header declares, so an image of the wrong size can never
    // paint outside its place; a SCALED image (smaller, sent while the screen moves) is
    // stretched into it with the canvas's smoothing, and replaced sharp once motion stops.
    this.context.drawImage(image, header.x, header.y, header.width, header.height);
    image.close();
  }

  discard(image: DecodedRect): void {
    if (!(image instanceof ImageData)) image.close();
  }

  /** Blanks the canvas (a new session starts). */
  clear(): void {
    this.hasImage = false;
    this.canvas.width = 1;
    this.canvas.height = 1;
  }

  onResize(listener: ResizeListener): () => void {
    this.resizeListeners.add(listener);
    return () => this.resizeListeners.delete(listener);
  }
}
