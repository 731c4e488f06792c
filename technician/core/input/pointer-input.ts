import type { InputEvent, MouseButton } from '../../../protocol';
import { toRemotePoint, type RemotePoint, type Size } from './coordinate-mapping';
import { listenTo } from './element-listeners';
import { MoveCoalescer, type FrameScheduler } from './move-coalescer';
import { WheelNormalizer } from './wheel-normalizer';

/** Where the pointer is captured, how big the remote screen is, and where events go. */
export interface PointerInputOptions {
  /** The canvas showing the remote screen. */
  readonly element: HTMLElement;
  /** The remote screen size, or undefined before the first frame (then nothing is sent). */
  readonly screenSize: () => Size | undefined;
  readonly send: (event: InputEvent) => void;
  /** requestAnimationFrame by default. */
  readonly scheduler?: FrameScheduler;
}

/** `PointerEvent.buttons` bits of the three buttons the protocol knows. */
const BUTTON_BITS: readonly (readonly [MouseButton, number])[] = [['left', 1], ['right', 2], ['middle', 4]];

const RAF_SCHEDULER: FrameScheduler = {
  request: (callback) => requestAnimationFrame(() => callback()),
  cancel: (handle) => cancelAnimationFrame(handle as number),
};

/**
 * Captures the mouse (and pen, and touch as a left button) over the remote screen and
 * sends it as protocol input in remote pixels. Buttons are sent as down/up as they happen,
 * so clicks, double clicks (two quick clicks, timed by the customer's OS as for a local
 * mouse), drags and long presses all come out as the technician made them.
 *
 * The browser's context menu is suppressed over the screen even in view-only mode: a
 * right click there is meant for the customer's machine, never for this page.
 */
export class PointerInput {
  private enabled = false;
  private readonly pressed = new Set<MouseButton>();
  private lastPoint: RemotePoint | undefined;
  private readonly moves: MoveCoalescer<RemotePoint>;
  private readonly wheel = new WheelNormalizer();
  private readonly stopListening: () => void;

  constructor(private readonly options: PointerInputOptions) {
    this.moves = new MoveCoalescer(options.scheduler ?? RAF_SCHEDULER, (p) => options.send({ kind: 'pointer-move', x: p.x, y: p.y }));
    this.stopListening = listenTo(options.element, {
      pointermove: this.onPointerMove,
      pointerdown: this.onPointerDown,
      pointerup: this.onPointerUp,
      pointercancel: this.onPointerLost,
      lostpointercapture: this.onPointerLost,
      wheel: this.onWheel,
      contextmenu: this.onContextMenu,
      auxclick: this.onAuxClick,
    }, { passive: false }); // not passive: the wheel handler must be able to stop the page scrolling
  }

  /** Input on or off (off while view-only or not connected); turning off lifts held buttons. */
  setEnabled(enabled: boolean): void {
    if (!enabled) this.releaseAll();
    this.enabled = enabled;
  }

  /** Sends button-up for every button still held (focus or capture was lost). */
  releaseAll(): void {
    this.moves.cancel();
    this.wheel.reset();
    const point = this.lastPoint;
    if (this.enabled && point !== undefined) {
      for (const button of this.pressed) this.options.send({ kind: 'button-up', button, x: point.x, y: point.y });
    }
    this.pressed.clear();
  }

  dispose(): void {
    this.setEnabled(false);
    this.stopListening();
  }

  private map(e: MouseEvent): RemotePoint | undefined {
    const screen = this.options.screenSize();
    if (screen === undefined) return undefined;
    const point = toRemotePoint(e.clientX, e.clientY, this.options.element.getBoundingClientRect(), screen);
    if (point !== undefined) this.lastPoint = point;
    return point;
  }

  private readonly onPointerMove = (e: PointerEvent): void => {
    if (!this.enabled) return;
    const point = this.map(e);
    if (point === undefined) return;
    // A second button pressed while one is held arrives as a pointermove (chorded buttons).
    if (this.buttonsChanged(e.buttons)) {
      this.moves.flush();
      this.syncButtons(e.buttons, point);
      return;
    }
    this.moves.push(point);
  };

  private readonly onPointerDown = (e: PointerEvent): void => {
    if (!this.enabled) return;
    // No local side effects: no text selection, no middle-button autoscroll or paste.
    e.preventDefault();
    this.options.element.focus({ preventScroll: true });
    try {
      // Keep receiving the drag when the pointer leaves the canvas.
      this.options.element.setPointerCapture(e.pointerId);
    } catch {
      // Synthetic or already-released pointers cannot be captured; the drag still works inside.
    }
    const point = this.map(e);
    if (point === undefined) return;
    this.moves.flush();
    this.syncButtons(e.buttons, point);
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    if (!this.enabled) return;
    const point = this.map(e);
    if (point === undefined) return;
    this.moves.flush();
    this.syncButtons(e.buttons, point);
  };

  private readonly onPointerLost = (): void => {
    if (this.enabled) this.releaseAll();
  };

  private readonly onWheel = (e: WheelEvent): void => {
    // Always keep the wheel from scrolling or zooming this page while over the screen.
    e.preventDefault();
    if (!this.enabled) return;
    const steps = this.wheel.push(e);
    if (steps === undefined) return;
    const point = this.map(e);
    if (point === undefined) return;
    this.moves.flush();
    this.options.send({ kind: 'wheel', x: point.x, y: point.y, dx: steps.dx, dy: steps.dy });
  };

  private readonly onContextMenu = (e: Event): void => {
    e.preventDefault();
  };

  private readonly onAuxClick = (e: MouseEvent): void => {
    if (e.button === 1) e.preventDefault(); // middle-click paste on Linux
  };

  private buttonsChanged(buttons: number): boolean {
    return BUTTON_BITS.some(([button, bit]) => ((buttons & bit) !== 0) !== this.pressed.has(button));
  }

  /** Sends down/up for each button whose state differs from `buttons`. */
  private syncButtons(buttons: number, point: RemotePoint): void {
    for (const [button, bit] of BUTTON_BITS) {
      const isDown = (buttons & bit) !== 0;
      if (isDown === this.pressed.has(button)) continue;
      if (isDown) this.pressed.add(button);
      else this.pressed.delete(button);
      this.options.send({ kind: isDown ? 'button-down' : 'button-up', button, x: point.x, y: point.y });
    }
    this.moves.noteSent(point);
  }
}
