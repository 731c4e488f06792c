import type { Logger } from 'pino';
import { loadUser32 } from './user32-adapter';
import { NoWindowAttention, type WindowAttention } from './window-attention';
import { WindowsFlashAttention } from './windows-flash';
import { X11WindowAttention } from './x11-attention-adapter';

export interface WindowAttentionConfig {
  readonly platform: NodeJS.Platform;
  /** DISPLAY on X11, as the agent uses it (main.ts reads it). */
  readonly x11Display: string | undefined;
  readonly logger: Logger;
}

/**
 * The way this desktop can be asked for attention: the urgency hint on X11, the taskbar
 * flash on Windows, nothing elsewhere (macOS; Linux without DISPLAY, such as Wayland
 * alone). Nothing native is loaded here: koffi only on the first flash on Windows, and
 * the X connection only on the first request.
 */
export function createWindowAttention(config: WindowAttentionConfig): WindowAttention {
  const { platform, x11Display, logger } = config;
  if (platform === 'win32') return new WindowsFlashAttention(() => loadUser32(), logger);
  if (platform !== 'darwin' && x11Display) return new X11WindowAttention(x11Display, logger);
  return new NoWindowAttention(logger, platform === 'darwin' ? 'no urgency hint on macOS' : 'no X11 display (DISPLAY is not set)');
}
