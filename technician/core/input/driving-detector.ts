import { listenTo } from './element-listeners';

/** Timer functions, injectable for tests. */
export interface DrivingTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DrivingDetectorOptions {
  /** The canvas showing the remote screen. */
  readonly element: HTMLElement;
  /** Called with true when the technician starts driving the pointer, false when they stop. */
  readonly onChange: (driving: boolean) => void;
  /** Still this long over the screen, the technician no longer counts as driving. */
  readonly idleMs?: number;
  readonly timers?: DrivingTimers;
}

/** 1.5 s: long enough not to flicker between moves, short enough to show the customer's pointer soon after. */
const DEFAULT_IDLE_MS = 1500;

/**
 * Whether the technician drives the customer's pointer: in control mode, with their own
 * pointer over the remote screen and moved (or pressed) recently. Leaving the screen, or
 * keeping still, ends it at once or after `idleMs`.
 */
export class DrivingDetector {
  private enabled = false;
  private driving = false;
  private idleTimer: unknown;
  private readonly timers: DrivingTimers;
  private readonly stopListening: () => void;

  constructor(private readonly options: DrivingDetectorOptions) {
    this.timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    this.stopListening = listenTo(options.element, {
      pointermove: this.onActivity,
      pointerdown: this.onActivity,
      wheel: this.onActivity,
      pointerleave: this.onLeave,
    }, { passive: true });
  }

  /** Only in control mode can the technician drive; turning off ends driving. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.set(false);
  }

  get isDriving(): boolean {
    return this.driving;
  }

  dispose(): void {
    this.setEnabled(false);
    this.stopListening();
  }

  private readonly onActivity = (): void => {
    if (!this.enabled) return;
    this.set(true);
    if (this.idleTimer !== undefined) this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.timers.setTimeout(() => {
      this.idleTimer = undefined;
      this.set(false);
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
  };

  private readonly onLeave = (): void => {
    this.set(false);
  };

  private set(driving: boolean): void {
    if (!driving && this.idleTimer !== undefined) {
      this.timers.clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (this.driving === driving) return;
    this.driving = driving;
    this.options.onChange(driving);
  }
}
