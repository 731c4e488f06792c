import type { DisplayInfo } from '../../protocol';
import type { Rect } from '../diff/rect';
import type { Monitor } from './monitors';

/** The display id of the whole desktop (every monitor), in `screen-info` and `select-display`. */
export const WHOLE_DESKTOP_ID = 0;

/** What `screen-info` says: the displays the technician may pick and the one streamed now. */
export interface DisplayChoice {
  readonly displays: readonly DisplayInfo[];
  readonly streaming: number;
}

/**
 * Which part of the customer's desktop is streamed: one monitor or all of them.
 *
 * It is the one place that knows the monitors' layout; the screen source crops to
 * {@link area} (view-source.ts), the input mapper adds its origin to every click, and the
 * pointer is told relative to it, so all three move together when the technician picks
 * another monitor.
 *
 * Ids: 0 is the whole desktop; monitors are 1…n from left to right. With fewer than two
 * monitors (or a technician's page that cannot pick) the only display listed is the whole
 * desktop, exactly what the agent sent before monitors could be picked.
 */
export class DisplayView {
  private screenWidth = 0;
  private screenHeight = 0;
  private monitors: readonly Monitor[] = [];
  private selected = WHOLE_DESKTOP_ID;
  private pickable = false;
  /** Bumped whenever {@link area} may have changed: a crop made before it is of another place. */
  private generation = 0;

  /**
   * The desktop is this size with these monitors (a session starts, or the screen changed).
   * Monitors are clipped to the desktop; one left with no area is dropped. A selection the
   * new layout no longer has falls back to the default.
   */
  setLayout(screenWidth: number, screenHeight: number, monitors: readonly Monitor[]): void {
    const before = this.monitors;
    this.screenWidth = screenWidth;
    this.screenHeight = screenHeight;
    // Numbered left to right (then top to bottom), as the technician sees them laid out,
    // whatever order the system lists them in (RandR puts the primary first).
    this.monitors = monitors.map((m) => clipMonitor(m, screenWidth, screenHeight)).filter((m): m is Monitor => m !== undefined)
      .sort((a, b) => a.x - b.x || a.y - b.y);
    const sameMonitors = before.length === this.monitors.length && before.every((m, i) => sameRect(m, this.monitors[i]!));
    if (!sameMonitors) this.selected = this.defaultId();
    this.generation++;
  }

  /**
   * Whether the technician can pick a monitor (its page and the relay said so): if yes,
   * the primary monitor is streamed first, at full size, instead of every monitor shrunk
   * into one picture.
   */
  setPickable(pickable: boolean): void {
    this.pickable = pickable;
    this.selected = this.defaultId();
    this.generation++;
  }

  /** Streams display `id` of {@link describe}; false (and nothing changes) for an id not listed. */
  select(id: number): boolean {
    if (!this.describe().displays.some((d) => d.id === id)) return false;
    if (id !== this.selected) {
      this.selected = id;
      this.generation++;
    }
    return true;
  }

  /** For `screen-info`. */
  describe(): DisplayChoice {
    const whole: DisplayInfo = { id: WHOLE_DESKTOP_ID, x: 0, y: 0, width: this.screenWidth, height: this.screenHeight, primary: !this.listsMonitors() };
    if (!this.listsMonitors()) return { displays: [whole], streaming: WHOLE_DESKTOP_ID };
    const monitors = this.monitors.map((m, i): DisplayInfo => ({ id: i + 1, x: m.x, y: m.y, width: m.width, height: m.height, primary: m.primary }));
    return { displays: [whole, ...monitors], streaming: this.selected };
  }

  /** The streamed rectangle, in the desktop's pixels; the whole desktop until a layout is known. */
  area(): Rect {
    const monitor = this.selected === WHOLE_DESKTOP_ID ? undefined : this.monitors[this.selected - 1];
    if (monitor === undefined) return { x: 0, y: 0, width: this.screenWidth, height: this.screenHeight };
    return { x: monitor.x, y: monitor.y, width: monitor.width, height: monitor.height };
  }

  /** The id of the display streamed now (0: the whole desktop). */
  get streamingId(): number {
    return this.listsMonitors() ? this.selected : WHOLE_DESKTOP_ID;
  }

  /** Changes whenever {@link area} may have: what was cropped under another value is of another place. */
  get version(): number {
    return this.generation;
  }

  private listsMonitors(): boolean {
    return this.pickable && this.monitors.length >= 2;
  }

  private defaultId(): number {
    if (!this.listsMonitors()) return WHOLE_DESKTOP_ID;
    const primary = this.monitors.findIndex((m) => m.primary);
    return (primary < 0 ? 0 : primary) + 1;
  }
}

function clipMonitor(m: Monitor, width: number, height: number): Monitor | undefined {
  const x = Math.max(0, m.x);
  const y = Math.max(0, m.y);
  const right = Math.min(width, m.x + m.width);
  const bottom = Math.min(height, m.y + m.height);
  if (right <= x || bottom <= y) return undefined;
  return { ...m, x, y, width: right - x, height: bottom - y };
}

function sameRect(a: Monitor, b: Monitor): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
