import { canvasCssSize, type ScaleMode } from '../core/input/coordinate-mapping';

/** Keyboard Lock API (Chromium): lets a full-screen page receive Ctrl+W, Alt+Tab … */
interface KeyboardLock {
  lock(keys?: string[]): Promise<void>;
  unlock(): void;
}

/**
 * Sizes the remote screen on the page: fit-to-window (scaled, whole screen visible) or
 * 1:1 (device-pixel sharp, the container scrolls), and full screen. The canvas backing
 * store always stays at the remote resolution; only its CSS size changes here, so input
 * mapping needs nothing but the canvas's box.
 */
export class ScreenView {
  private scaleMode: ScaleMode = 'fit';
  private readonly observer: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly fullscreenTarget: HTMLElement,
    private readonly screenSize: () => { width: number; height: number },
  ) {
    this.observer = new ResizeObserver(() => this.layout());
    this.observer.observe(container);
    document.addEventListener('fullscreenchange', this.onFullscreenChange);
  }

  get mode(): ScaleMode {
    return this.scaleMode;
  }

  setMode(mode: ScaleMode): void {
    this.scaleMode = mode;
    this.container.dataset.scale = mode;
    this.layout();
  }

  /** Re-computes the canvas's CSS size (screen or container size changed). */
  layout(): void {
    const screen = this.screenSize();
    if (screen.width <= 0 || screen.height <= 0) {
      this.canvas.style.width = '0px';
      this.canvas.style.height = '0px';
      return;
    }
    const size = canvasCssSize(this.scaleMode, screen, { width: this.container.clientWidth, height: this.container.clientHeight }, window.devicePixelRatio || 1);
    // Whole CSS pixels in fit mode avoid a blurry half-pixel edge; 1:1 keeps exact values.
    const round = this.scaleMode === 'fit' ? Math.floor : (v: number): number => v;
    this.canvas.style.width = `${round(size.width)}px`;
    this.canvas.style.height = `${round(size.height)}px`;
  }

  get isFullscreen(): boolean {
    return document.fullscreenElement === this.fullscreenTarget;
  }

  /** Enters or leaves full screen. In full screen the keyboard is locked where supported. */
  async toggleFullscreen(): Promise<void> {
    if (this.isFullscreen) {
      await document.exitFullscreen().catch(() => undefined);
      return;
    }
    await this.fullscreenTarget.requestFullscreen({ navigationUI: 'hide' }).catch(() => undefined);
  }

  /** Leaves full screen if in it (the session ended). */
  exitFullscreen(): void {
    if (this.isFullscreen) void document.exitFullscreen().catch(() => undefined);
  }

  dispose(): void {
    this.observer.disconnect();
    document.removeEventListener('fullscreenchange', this.onFullscreenChange);
  }

  private readonly onFullscreenChange = (): void => {
    const lock = (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;
    // With the keyboard locked, Ctrl+W, Ctrl+T, Alt+Tab … reach the page (and so the
    // customer); Esc must then be held to leave full screen, as Chromium explains itself.
    if (this.isFullscreen) void lock?.lock().catch(() => undefined);
    else lock?.unlock();
    this.layout();
  };
}
