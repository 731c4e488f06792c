import { CURSOR_SHAPE_CACHE, CursorShapeCache, type CursorImage, type CursorPosMessage } from '../../../protocol';

/** What the overlay needs of the page: where the remote screen is drawn and how big the remote screen is. */
export interface CursorOverlayOptions {
  /** The canvas showing the remote screen; the overlay is placed over it. */
  readonly screen: HTMLCanvasElement;
  /** A canvas of its own, positioned absolutely in the screen's offset parent, ignoring the pointer. */
  readonly overlay: HTMLCanvasElement;
  /** The remote screen in pixels, or undefined before the first frame. */
  readonly screenSize: () => { readonly width: number; readonly height: number } | undefined;
}

interface Shape {
  readonly image: CursorImage;
  readonly pixels: ImageData;
}

/**
 * The customer's pointer, drawn by the page over the remote screen (never in the frames):
 * a small canvas holding the current shape, moved to the pointer's position minus the
 * hotspot and scaled like the screen. Shapes are kept as the agent expects
 * (CURSOR_SHAPE_CACHE, oldest out first); a position naming a shape the page does not
 * have draws nothing.
 *
 * It shows only while the customer's pointer is visible and the technician is not driving
 * (see {@link setDriving}): two pointers on top of each other help nobody.
 */
export class CursorOverlay {
  /** The shape last drawn into a recording, as a canvas (drawImage blends its alpha; putImageData would not). */
  private recordedShape: { readonly id: number; readonly canvas: HTMLCanvasElement } | undefined;
  private readonly shapes = new CursorShapeCache<Shape>(CURSOR_SHAPE_CACHE);
  private position: CursorPosMessage | undefined;
  private drawnShape: number | undefined;
  private driving = false;
  private readonly context: CanvasRenderingContext2D;
  private readonly observer: ResizeObserver | undefined;

  constructor(private readonly options: CursorOverlayOptions) {
    const context = options.overlay.getContext('2d');
    if (context === null) throw new Error('2d canvas is not available');
    this.context = context;
    options.overlay.hidden = true;
    // The screen's CSS box changes with the window, the scale mode, full screen: follow it.
    this.observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.render()) : undefined;
    this.observer?.observe(options.screen);
  }

  /** A checked shape from the customer's side. */
  addShape(image: CursorImage): void {
    const pixels = new ImageData(new Uint8ClampedArray(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength).slice(), image.width, image.height);
    this.shapes.add(image.id, { image, pixels });
    if (this.drawnShape === image.id) this.drawnShape = undefined; // replaced: draw it again
    this.render();
  }

  /** Where the customer's pointer is now. */
  setPosition(position: CursorPosMessage): void {
    this.position = position;
    this.render();
  }

  /** True while the technician drives the pointer: the customer's one is hidden meanwhile. */
  setDriving(driving: boolean): void {
    if (this.driving === driving) return;
    this.driving = driving;
    this.render();
  }

  /** A new session: nothing is known of the customer's pointer. */
  reset(): void {
    this.shapes.clear();
    this.recordedShape = undefined;
    this.position = undefined;
    this.drawnShape = undefined;
    this.driving = false;
    this.render();
  }

  /** Places (or hides) the overlay for the current shape, position and layout. */
  render(): void {
    const { overlay, screen } = this.options;
    const position = this.position;
    const shape = position === undefined ? undefined : this.shapes.get(position.shape);
    const size = this.options.screenSize();
    const cssWidth = screen.clientWidth;
    if (position === undefined || shape === undefined || !position.visible || this.driving || size === undefined || cssWidth === 0) {
      overlay.hidden = true;
      return;
    }
    const { image } = shape;
    if (this.drawnShape !== image.id) {
      overlay.width = image.width;
      overlay.height = image.height;
      this.context.putImageData(shape.pixels, 0, 0);
      this.drawnShape = image.id;
    }
    const scaleX = cssWidth / size.width;
    const scaleY = screen.clientHeight / size.height;
    const left = screen.offsetLeft + screen.clientLeft + (position.x - image.hotX) * scaleX;
    const top = screen.offsetTop + screen.clientTop + (position.y - image.hotY) * scaleY;
    overlay.style.width = `${image.width * scaleX}px`;
    overlay.style.height = `${image.height * scaleY}px`;
    overlay.style.transform = `translate(${left}px, ${top}px)`;
    // What it shows, for whoever inspects the page (tests, support staff in devtools).
    overlay.dataset.shape = String(image.id);
    overlay.dataset.hotX = String(image.hotX);
    overlay.dataset.hotY = String(image.hotY);
    overlay.dataset.x = String(position.x);
    overlay.dataset.y = String(position.y);
    overlay.hidden = false;
  }

  /**
   * Draws the customer's pointer into `target` (a recording of the screen): where it is,
   * in the remote screen's pixels times `scale`, shifted by `dx`, `dy`. Drawn while the
   * technician drives too: a recording should show where the pointer went.
   */
  drawInto(target: CanvasRenderingContext2D, scale: number, dx: number, dy: number): void {
    const position = this.position;
    const shape = position === undefined ? undefined : this.shapes.get(position.shape);
    if (position === undefined || shape === undefined || !position.visible) return;
    const { image } = shape;
    if (this.recordedShape?.id !== image.id) {
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      canvas.getContext('2d')!.putImageData(shape.pixels, 0, 0);
      this.recordedShape = { id: image.id, canvas };
    }
    target.drawImage(this.recordedShape.canvas, dx + (position.x - image.hotX) * scale, dy + (position.y - image.hotY) * scale,
      image.width * scale, image.height * scale);
  }

  dispose(): void {
    this.observer?.disconnect();
  }
}
