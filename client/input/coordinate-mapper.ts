/** The streamed part of the captured screen (one monitor), in captured pixels. */
export interface MapperView {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Maps a point in the streamed picture's pixels (what the technician clicked on) to the
 * input sink's coordinate space. The two differ when one monitor of several is streamed
 * (the picture starts at the monitor's corner: see {@link setView}) and when the display
 * is scaled (a Retina Mac captures 2× the points its mouse uses). Results are rounded and
 * clamped, so a click on the last pixel lands on the last pixel, and a drag past a
 * monitor's edge stays on that monitor.
 */
export class CoordinateMapper {
  private view: MapperView | undefined;

  constructor(
    private captureWidth: number,
    private captureHeight: number,
    private sinkWidth: number,
    private sinkHeight: number,
  ) {}

  /** The captured screen changed size (resolution change). */
  setCaptureSize(width: number, height: number): void {
    this.captureWidth = width;
    this.captureHeight = height;
  }

  setSinkSize(width: number, height: number): void {
    this.sinkWidth = width;
    this.sinkHeight = height;
  }

  /** The technician sees only `view` of the captured screen (undefined: all of it). */
  setView(view: MapperView | undefined): void {
    this.view = view;
  }

  map(x: number, y: number): { x: number; y: number } {
    const view = this.view;
    if (view !== undefined) {
      x = view.x + clamp(x, 0, Math.max(0, view.width - 1));
      y = view.y + clamp(y, 0, Math.max(0, view.height - 1));
    }
    const sx = this.captureWidth > 0 ? this.sinkWidth / this.captureWidth : 1;
    const sy = this.captureHeight > 0 ? this.sinkHeight / this.captureHeight : 1;
    return {
      x: clamp(Math.round(x * sx), 0, Math.max(0, this.sinkWidth - 1)),
      y: clamp(Math.round(y * sy), 0, Math.max(0, this.sinkHeight - 1)),
    };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
