import type { Logger } from 'pino';
import type { AgentDeps } from './agent';
import type { AgentOptions } from './agent-options';
import type { CursorSource } from './capture/cursor-source';
import type { SystemClipboard } from './clipboard/clipboard';
import { missingDisplayProblem } from './capture/display-check';
import { createScreenSource, DEFAULT_SCREEN_SOURCES, NUT_JS_SOURCES } from './capture/create-screen-source';
import { trackDamage } from './capture/damage-tracked-source';
import type { ScreenSource } from './capture/screen-source';
import { createX11DamageSource } from './capture/x11-damage-adapter';
import type { MonitorLister } from './capture/monitors';
import { createXrandrMonitorLister } from './capture/xrandr-monitors-adapter';
import { createScreenshotDesktopSource } from './capture/screenshot-desktop-adapter';
import { createWorkerScreenSource } from './capture/worker-screen-adapter';
import { createRectEncoder, DEFAULT_RECT_ENCODERS } from './encode/create-rect-encoder';
import { createJpegJsEncoder } from './encode/jpeg-js-encoder-adapter';
import { createSharpEncoder } from './encode/sharp-encoder-adapter';
import { createInputSink } from './input/create-input-sink';

/** There is no X11 display to capture or drive (libnut would abort the process). */
export class NoDisplayError extends Error {}

export interface AgentHardwareConfig {
  readonly options: AgentOptions;
  /** DISPLAY on X11 (main.ts reads it). */
  readonly x11Display: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
  /**
   * Only the first choice of each list (for `--capture nut-js`: nut-js in its worker
   * thread; for `--encoder sharp`: sharp), rejecting if it cannot be used instead of
   * falling back. For benchmarks, where a fallback would measure something else. The
   * entry points leave it off.
   */
  readonly noFallback?: boolean;
  /**
   * The built capture worker, for a caller running from the source tree, where the
   * default (beside the bundled entry point) does not exist.
   */
  readonly captureWorkerFile?: string;
  /**
   * Read only what changed, as X11 DAMAGE reports it, instead of polling full frames
   * (default on X11). Off, or where DAMAGE is missing, the agent polls as before.
   */
  readonly damage?: boolean;
}

/** How the agent learns that the screen changed: from the display server, or by comparing polled full frames. */
export interface ChangeDetection {
  readonly source: ScreenSource;
  /** For the "agent ready" line: `x11-damage …` or `polling`. */
  readonly changes: string;
  /** Why polling, when DAMAGE was tried and failed. */
  readonly why?: string;
}

/**
 * Wraps `full` with X11 DAMAGE when the display has it: grabs then read the damaged
 * rectangles only, and a still screen costs nothing. Anything failing leaves `full` as
 * it was, polled by the streamer (the fallback, and the only way on Windows).
 */
export async function withDamageIfAvailable(full: ScreenSource, config: Pick<AgentHardwareConfig, 'platform' | 'x11Display' | 'damage' | 'logger'>): Promise<ChangeDetection> {
  if (config.damage === false) return { source: full, changes: 'polling', why: 'damage off' };
  if (config.platform !== 'linux' || config.x11Display === undefined || config.x11Display === '') return { source: full, changes: 'polling' };
  try {
    const damage = await createX11DamageSource(config.x11Display);
    return { source: trackDamage(full, damage, { logger: config.logger }), changes: damage.name };
  } catch (error) {
    return { source: full, changes: 'polling', why: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The real screen, encoder, mouse and keyboard, chosen from the options as the terminal
 * agent, the window and the extension all do: the native adapter first, each fallback
 * logged (or none, with `noFallback`). Throws NoDisplayError on Linux without DISPLAY, before nut-js is loaded.
 */
export async function openAgentHardware(config: AgentHardwareConfig): Promise<Pick<AgentDeps, 'source' | 'encoder' | 'sink' | 'cursor' | 'monitors' | 'clipboard'>> {
  const problem = missingDisplayProblem(config.platform, config.x11Display);
  if (problem !== undefined) throw new NoDisplayError(problem);
  const { options, logger } = config;
  const listed = options.capture === 'nut-js' ? NUT_JS_SOURCES
    : options.capture === 'screenshot-desktop' ? [createScreenshotDesktopSource] : DEFAULT_SCREEN_SOURCES;
  const { captureWorkerFile } = config;
  // Same choices in the same order; only the worker's script is looked for elsewhere.
  const sources = captureWorkerFile === undefined ? listed
    : listed.map((f) => (f === NUT_JS_SOURCES[0] ? () => createWorkerScreenSource(captureWorkerFile) : f));
  const encoders = options.encoder === 'sharp' ? [createSharpEncoder]
    : options.encoder === 'jpeg-js' ? [createJpegJsEncoder] : DEFAULT_RECT_ENCODERS;
  const firstOnly = <T>(list: readonly T[]): readonly T[] => (config.noFallback === true ? list.slice(0, 1) : list);
  // Without a fallback there is no next to try: the rejection carries the cause.
  const skipped = (what: string) => (config.noFallback === true ? undefined
    : ({ error }: { error: unknown }) => logger.warn({ err: String(error) }, `${what} unavailable, trying the next`));
  const fullFrames = await createScreenSource(firstOnly(sources), skipped('screen source'));
  const { source, changes, why } = await withDamageIfAvailable(fullFrames, {
    ...config, damage: config.damage ?? options.changes !== 'poll',
  });
  const encoder = await createRectEncoder(firstOnly(encoders), skipped('encoder'));
  const sink = await createInputSink({ x11Display: config.x11Display, platform: config.platform, logger });
  const cursor = await openCursorSource(config);
  const monitors = monitorListerFor(config);
  const clipboard = await openClipboard(config);
  // `changes` says whether the screen is watched through DAMAGE or polled (and why, if DAMAGE failed).
  logger.info({
    source: fullFrames.name, encoder: encoder.name, input: sink.name, changes, ...(why !== undefined ? { why } : {}), cursor: cursor?.name ?? 'none',
    monitors: monitors?.name ?? 'none',
    clipboard: clipboard?.name ?? 'none',
  }, 'agent ready');
  return {
    source, encoder, sink,
    ...(cursor !== undefined ? { cursor } : {}), ...(monitors !== undefined ? { monitors } : {}), ...(clipboard !== undefined ? { clipboard } : {}),
  };
}

/**
 * The monitors: RandR (through xrandr) on X11. Elsewhere none is listed and the whole
 * desktop is streamed (Windows' EnumDisplayMonitors is not wired yet).
 */
function monitorListerFor(config: Pick<AgentHardwareConfig, 'platform' | 'x11Display'>): MonitorLister | undefined {
  if (config.platform !== 'linux' || config.x11Display === undefined || config.x11Display === '') return undefined;
  return createXrandrMonitorLister(config.x11Display);
}

/** The clipboard: X11 selections on Linux, the Windows clipboard on Windows; none elsewhere or where it cannot be reached. */
async function openClipboard(config: AgentHardwareConfig): Promise<SystemClipboard | undefined> {
  try {
    if (config.platform === 'win32') {
      const { WindowsClipboard } = await import('./clipboard/windows-clipboard-adapter');
      return await WindowsClipboard.open();
    }
    if (config.platform !== 'linux' || config.x11Display === undefined || config.x11Display === '') return undefined;
    const { X11Clipboard } = await import('./clipboard/x11-clipboard-adapter');
    return await X11Clipboard.open(config.x11Display);
  } catch (error) {
    config.logger.warn({ err: String(error) }, 'the clipboard cannot be reached here; the technician will not be offered it');
    return undefined;
  }
}

/** The pointer's shape and position: XFixes on X11; none elsewhere or without it (the technician then sees none). */
async function openCursorSource(config: AgentHardwareConfig): Promise<CursorSource | undefined> {
  if (config.platform !== 'linux' || config.x11Display === undefined) return undefined;
  try {
    const { X11CursorSource } = await import('./capture/x11-cursor-adapter');
    return await X11CursorSource.open(config.x11Display);
  } catch (error) {
    config.logger.warn({ err: String(error) }, 'the pointer cannot be followed here; the technician will not see it');
    return undefined;
  }
}

/** The streamer and socket settings the options ask for. */
export function agentTuning(options: AgentOptions): Pick<AgentDeps, 'streamer' | 'socketOptions' | 'secretDigits' | 'requireEndToEnd'> {
  return {
    secretDigits: options.secretDigits,
    requireEndToEnd: options.requireE2e,
    streamer: {
      // Rounded down: a 60 fps cap must let a 60 Hz screen's every frame through (17 ms,
      // rounded up, allowed 58.8 a second and lost about one frame in twenty; BENCHMARKS.md).
      minFrameIntervalMs: Math.floor(1000 / options.maxFps),
      ...(options.quality !== undefined ? { fixedQuality: options.quality } : {}),
    },
    ...(options.insecure ? { socketOptions: { rejectUnauthorized: false } } : {}),
  };
}
