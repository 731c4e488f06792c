import { MAX_COORDINATE } from '../../../protocol';

/** A box in CSS pixels, as `getBoundingClientRect()` reports it. */
export interface ViewBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A width and height (CSS or remote pixels, as the caller says). */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A pixel of the remote screen. */
export interface RemotePoint {
  readonly x: number;
  readonly y: number;
}

/**
 * Maps a pointer position (CSS pixels, client coordinates) to a remote screen pixel.
 *
 * `box` is where the canvas is drawn right now. Because the canvas shows the whole remote
 * screen stretched over that box, one proportion covers every view: fit-to-window, 1:1
 * (the box is then as large as the screen and partly scrolled out of view: its `left`/`top`
 * go negative, which this formula already accounts for), full screen, browser zoom and
 * high-DPI displays. Points outside the box are clamped to the nearest edge pixel, so a
 * drag that leaves the canvas keeps a valid position.
 */
export function toRemotePoint(clientX: number, clientY: number, box: ViewBox, screen: Size): RemotePoint | undefined {
  if (box.width <= 0 || box.height <= 0 || screen.width <= 0 || screen.height <= 0) return undefined;
  const x = Math.floor(((clientX - box.left) * screen.width) / box.width);
  const y = Math.floor(((clientY - box.top) * screen.height) / box.height);
  return {
    x: clamp(x, 0, Math.min(screen.width - 1, MAX_COORDINATE)),
    y: clamp(y, 0, Math.min(screen.height - 1, MAX_COORDINATE)),
  };
}

/** The inverse: where a remote pixel's centre appears on the page (for tests and overlays). */
export function toClientPoint(remote: RemotePoint, box: ViewBox, screen: Size): { x: number; y: number } {
  return {
    x: box.left + ((remote.x + 0.5) * box.width) / screen.width,
    y: box.top + ((remote.y + 0.5) * box.height) / screen.height,
  };
}

/** How the remote screen is sized on the page. */
export type ScaleMode = 'fit' | 'one-to-one';

/**
 * CSS size of the canvas. `fit` shows the whole screen in `container` keeping its aspect
 * ratio (scaling up as well as down). `one-to-one` shows one remote pixel per device
 * pixel, so text is as sharp as on the customer's monitor; the container scrolls.
 */
export function canvasCssSize(mode: ScaleMode, screen: Size, container: Size, devicePixelRatio = 1): Size {
  if (screen.width <= 0 || screen.height <= 0) return { width: 0, height: 0 };
  const scale = mode === 'fit' ? fitScale(screen, container) : 1 / (devicePixelRatio > 0 ? devicePixelRatio : 1);
  return { width: screen.width * scale, height: screen.height * scale };
}

/** The largest scale at which `screen` fits inside `container`. */
export function fitScale(screen: Size, container: Size): number {
  if (screen.width <= 0 || screen.height <= 0 || container.width <= 0 || container.height <= 0) return 1;
  return Math.min(container.width / screen.width, container.height / screen.height);
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
