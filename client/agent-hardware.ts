import type { Logger } from 'pino';
import type { AgentDeps } from './agent';
import type { AgentOptions } from './agent-options';
import { missingDisplayProblem } from './capture/display-check';
import { createScreenSource, DEFAULT_SCREEN_SOURCES, NUT_JS_SOURCES } from './capture/create-screen-source';
import { createScreenshotDesktopSource } from './capture/screenshot-desktop-adapter';
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
}

/**
 * The real screen, encoder, mouse and keyboard, chosen from the options as the terminal
 * agent, the window and the extension all do: the native adapter first, each fallback
 * logged. Throws NoDisplayError on Linux without DISPLAY, before nut-js is loaded.
 */
export async function openAgentHardware(config: AgentHardwareConfig): Promise<Pick<AgentDeps, 'source' | 'encoder' | 'sink'>> {
  const problem = missingDisplayProblem(config.platform, config.x11Display);
  if (problem !== undefined) throw new NoDisplayError(problem);
  const { options, logger } = config;
  const sources = options.capture === 'nut-js' ? NUT_JS_SOURCES
    : options.capture === 'screenshot-desktop' ? [createScreenshotDesktopSource] : DEFAULT_SCREEN_SOURCES;
  const encoders = options.encoder === 'sharp' ? [createSharpEncoder]
    : options.encoder === 'jpeg-js' ? [createJpegJsEncoder] : DEFAULT_RECT_ENCODERS;
  const source = await createScreenSource(sources, ({ error }) => logger.warn({ err: String(error) }, 'screen source unavailable, trying the next'));
  const encoder = await createRectEncoder(encoders, ({ error }) => logger.warn({ err: String(error) }, 'encoder unavailable, trying the next'));
  const sink = await createInputSink({ x11Display: config.x11Display, platform: config.platform, logger });
  logger.info({ source: source.name, encoder: encoder.name }, 'agent ready');
  return { source, encoder, sink };
}

/** The streamer and socket settings the options ask for. */
export function agentTuning(options: AgentOptions): Pick<AgentDeps, 'streamer' | 'socketOptions'> {
  return {
    streamer: {
      minFrameIntervalMs: Math.ceil(1000 / options.maxFps),
      ...(options.quality !== undefined ? { fixedQuality: options.quality } : {}),
    },
    ...(options.insecure ? { socketOptions: { rejectUnauthorized: false } } : {}),
  };
}
