import type { Logger } from 'pino';
import { createAgent, type Agent } from '../agent';
import type { AgentOptions } from '../agent-options';
import { missingDisplayProblem } from '../capture/display-check';
import { createScreenSource, DEFAULT_SCREEN_SOURCES, NUT_JS_SOURCES } from '../capture/create-screen-source';
import { createScreenshotDesktopSource } from '../capture/screenshot-desktop-adapter';
import { createRectEncoder, DEFAULT_RECT_ENCODERS } from '../encode/create-rect-encoder';
import { createJpegJsEncoder } from '../encode/jpeg-js-encoder-adapter';
import { createSharpEncoder } from '../encode/sharp-encoder-adapter';
import { createInputSink } from '../input/create-input-sink';
import type { AgentHooks } from './window-bridge';

/** What the window's entry points read from the command line and the environment. */
export interface RealAgentConfig {
  readonly options: AgentOptions;
  /** DISPLAY on X11. */
  readonly x11Display: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly logger: Logger;
}

/**
 * The agent on the real screen, mouse and keyboard, for the window: the same adapters as
 * the terminal agent. An expired code is not renewed by itself: the window shows that it
 * expired and lets the customer ask for a new one.
 */
export async function createRealAgent(config: RealAgentConfig, hooks: AgentHooks): Promise<Agent> {
  const problem = missingDisplayProblem(config.platform, config.x11Display);
  if (problem !== undefined) throw new Error(problem);
  const { options, logger } = config;
  const sources = options.capture === 'nut-js' ? NUT_JS_SOURCES
    : options.capture === 'screenshot-desktop' ? [createScreenshotDesktopSource] : DEFAULT_SCREEN_SOURCES;
  const encoders = options.encoder === 'sharp' ? [createSharpEncoder]
    : options.encoder === 'jpeg-js' ? [createJpegJsEncoder] : DEFAULT_RECT_ENCODERS;
  const source = await createScreenSource(sources, ({ error }) => logger.warn({ err: String(error) }, 'screen source unavailable, trying the next'));
  const encoder = await createRectEncoder(encoders, ({ error }) => logger.warn({ err: String(error) }, 'encoder unavailable, trying the next'));
  const sink = await createInputSink({ x11Display: config.x11Display, platform: config.platform, logger });
  logger.info({ source: source.name, encoder: encoder.name }, 'agent ready');
  return createAgent({
    relayUrl: options.relayUrl,
    name: options.name,
    source,
    encoder,
    sink,
    logger,
    consent: hooks.consent,
    onState: hooks.onState,
    renewExpiredCode: false,
    streamer: {
      minFrameIntervalMs: Math.ceil(1000 / options.maxFps),
      ...(options.quality !== undefined ? { fixedQuality: options.quality } : {}),
    },
    ...(options.insecure ? { socketOptions: { rejectUnauthorized: false } } : {}),
  });
}
