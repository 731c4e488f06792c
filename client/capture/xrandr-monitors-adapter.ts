import { execFile } from 'node:child_process';
import type { MonitorLister } from './monitors';
import { parseXrandrMonitors } from './xrandr-monitors';

/** Longest wait for xrandr: a hung X server must not hold up the session. */
const XRANDR_TIMEOUT_MS = 3000;
/** The listing of 15 monitors is about 1 KiB; anything past this is not xrandr talking. */
const XRANDR_MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * The RandR monitors of X display `displayName`, from `xrandr --listmonitors` (Debian
 * package x11-xserver-utils, which nut-js needs on Linux anyway). The `x11` package has
 * no RRGetMonitors; the listing is asked for only when a session starts and when the
 * screen changes size, so a child process costs nothing that matters.
 */
export function createXrandrMonitorLister(displayName: string): MonitorLister {
  return {
    name: 'xrandr',
    list: () => new Promise((resolve, reject) => {
      execFile('xrandr', ['--display', displayName, '--listmonitors'], {
        timeout: XRANDR_TIMEOUT_MS,
        maxBuffer: XRANDR_MAX_OUTPUT_BYTES,
        encoding: 'utf8',
      }, (error, stdout) => {
        if (error) reject(new Error(`xrandr --listmonitors failed: ${error.message}`));
        else resolve(parseXrandrMonitors(stdout));
      });
    }),
  };
}
