import type { Logger } from 'pino';
import type { AgentDeps } from './agent';
import type { AgentOptions } from './agent-options';
import type { CursorSource } from './capture/cursor-source';
import { missingDisplayProblem } from './capture/display-check';
import { createScreenSource, DEFAULT_SCREEN_SOURCES, NUT_JS_SOURCES } from './capture/create-screen-source';
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
}

/**
 * The real screen, encoder, mouse and keyboard, chosen from the options as the terminal
 * agent, the window and the extension all do: the native adapter first, each fallback
 * logged (or none, with `noFallback`). Throws NoDisplayError on Linux without DISPLAY, before nut-js is loaded.
 */
export async function openAgentHardware(config: AgentHardwareConfig): Promise<Pick<AgentDeps, 'source' | 'encoder' | 'sink' | 'cursor'>> {
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
  const source = await createScreenSource(firstOnly(sources), skipped('screen source'));
  const encoder = await createRectEncoder(firstOnly(encoders), skipped('encoder'));
  const sink = await createInputSink({ x11Display: config.x11Display, platform: config.platform, logger });
  const cursor = await openCursorSource(config);
  logger.info({ source: source.name, encoder: encoder.name, cursor: cursor?.name ?? 'none' }, 'agent ready');
  return { source, encoder, sink, ...(cursor !== undefined ? { cursor } : {}) };
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
      minFrameIntervalMs: Math.ceil(1000 / options.maxFps),
      ...(options.quality !== undefined ? { fixedQuality: options.quality } : {}),
    },
    ...(options.insecure ? { socketOptions: { rejectUnauthorized: false } } : {}),
  };
}
