/**
 * One monitor of the customer's desktop, where the display server puts it: a rectangle of
 * the whole screen's pixels (X11 lays every monitor out in one root window).
 */
export interface Monitor {
  /** The system's name for it (X11: the RandR monitor's name, e.g. `DP-1`); for logs only. */
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly primary: boolean;
}

/**
 * Lists the monitors now (RandR on X11). Behind it, the native part
 * (`xrandr-monitors-adapter.ts`); where the system cannot tell, the agent has none and
 * streams the whole screen, as it always did.
 */
export interface MonitorLister {
  readonly name: string;
  list(): Promise<readonly Monitor[]>;
}
