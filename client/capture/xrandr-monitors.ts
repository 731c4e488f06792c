import type { Monitor } from './monitors';

/**
 * Most monitors taken from one listing: the protocol lists at most 16 displays, one of
 * them the whole desktop.
 */
export const MAX_MONITORS = 15;

/**
 * ` 0: +*DP-1 1920/527x1080/296+0+0  DP-1`: index, flags (`+` automatic, `*` primary),
 * name, width/millimetres x height/millimetres, then the offset. xrandr prints it with
 * `+%d+%d`, so a negative one reads `+-5`; monitors set by hand may place one there,
 * and the view clips it to the desktop.
 */
const MONITOR_LINE = /^\s*\d+:\s+([+*]*)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+\+(-?\d+)\+(-?\d+)(?:\s|$)/;

/**
 * The monitors in the output of `xrandr --listmonitors`, in its order. Lines that do not
 * look like a monitor (the `Monitors: N` header, anything a newer xrandr adds) are
 * skipped; monitors with no area are dropped; at most MAX_MONITORS are kept.
 */
export function parseXrandrMonitors(output: string): Monitor[] {
  const monitors: Monitor[] = [];
  for (const line of output.split('\n')) {
    if (monitors.length >= MAX_MONITORS) break;
    const m = MONITOR_LINE.exec(line);
    if (m === null) continue;
    const [, flags, name, width, height, x, y] = m as unknown as [string, string, string, string, string, string, string];
    const monitor: Monitor = {
      name, primary: flags.includes('*'),
      width: Number(width), height: Number(height), x: Number(x), y: Number(y),
    };
    if (monitor.width > 0 && monitor.height > 0) monitors.push(monitor);
  }
  return monitors;
}
