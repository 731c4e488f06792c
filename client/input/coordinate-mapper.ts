/**
 * Maps a point in the captured frame's pixels (what the technician clicked on) to the
 * input sink's coordinate space. The two differ when the display is scaled (a Retina
 * Mac captures 2× the points its mouse uses). Results are rounded and clamped, so a
 * click on the last pixel lands on the last pixel.
 */
export class CoordinateMapper {
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

  map(x: number, y: number): { x: number; y: number } {
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
