import type { UiCommand, UiState } from '../contract/ui-events';
import type { NeutralinoApi } from './neutralino-api';
import type { WindowMessages } from './window-messages';

/** The window's width in neutralino.config.json (modes.window.width), and what the chat panel adds to it (styles.css, with the gap). */
const WINDOW_WIDTH = 420;
const CHAT_PANEL_WIDTH = 334;

/** The tray icon, a resource path of the app (neutralino.config.json: documentRoot). */
export const TRAY_ICON = '/dist/client-app/tray-icon.png';

/**
 * What only the native window has: the window title in the customer's language, a tray
 * icon with "show", "stop sharing" and "quit" where the platform has a tray (macOS has
 * its menu bar, Linux needs an AppIndicator host; a refusal is ignored). Closing the window
 * exits the runtime (exitProcessOnClose); the extension then sees its socket close and
 * stops sharing before it exits.
 */
export class NeutralinoHost {
  private t: WindowMessages;
  private shownKind: UiState['kind'] | undefined;
  private onTop = false;

  constructor(
    private readonly neutralino: NeutralinoApi,
    messages: WindowMessages,
    private readonly send: (command: UiCommand) => void,
    /** Told whether the tray icon could be set (no tray host: the window says how to stop instead). */
    private readonly onTray: (available: boolean) => void = () => undefined,
  ) {
    this.t = messages;
  }

  start(): void {
    void this.neutralino.events.on('trayMenuItemClicked', (e) => {
      const id = (e.detail as { id?: unknown } | null)?.id;
      if (id === 'show') void this.showWindow();
      else if (id === 'stop') this.send({ command: 'stop' });
      else if (id === 'quit') void this.quit();
    });
    this.setMessages(this.t);
  }

  setMessages(messages: WindowMessages): void {
    this.t = messages;
    this.neutralino.window.setTitle(messages.appName).catch(() => undefined);
    this.neutralino.os.setTray({
      icon: TRAY_ICON,
      menuItems: [
        { id: 'show', text: messages.trayShow },
        { id: 'stop', text: messages.stopSharing },
        { id: 'quit', text: messages.trayQuit },
      ],
    }).then(() => this.onTray(true), () => this.onTray(false));
  }

  /**
   * The window never hides its question: when a technician asks it comes to the front and
   * takes focus (it may have been behind other windows or minimized), and from the
   * question until sharing ends it stays on top, so the answer buttons and "Dejar de
   * compartir" can always be reached.
   */
  onState(state: UiState): void {
    const previous = this.shownKind;
    this.shownKind = state.kind;
    if (state.kind === 'consent' && previous !== 'consent') void this.showWindow();
    this.keepOnTop(state.kind === 'consent' || state.kind === 'sharing');
  }

  private keepOnTop(onTop: boolean): void {
    if (onTop === this.onTop) return;
    this.onTop = onTop;
    this.neutralino.window.setAlwaysOnTop(onTop).catch(() => undefined);
  }

  /**
   * The chat opened or closed: the window widens by the panel's width, so the sharing view
   * (and "Dejar de compartir") keeps its place, and narrows again after.
   */
  setChatOpen(open: boolean): void {
    this.neutralino.window.setSize({ width: open ? WINDOW_WIDTH + CHAT_PANEL_WIDTH : WINDOW_WIDTH }).catch(() => undefined);
  }

  private async showWindow(): Promise<void> {
    await this.neutralino.window.show().catch(() => undefined);
    await this.neutralino.window.unminimize().catch(() => undefined);
    await this.neutralino.window.focus().catch(() => undefined);
  }

  /** Sharing never outlives the window: stop first (the extension also stops when the runtime goes). */
  private async quit(): Promise<void> {
    this.send({ command: 'stop' });
    await new Promise((r) => setTimeout(r, 200));
    await this.neutralino.app.exit().catch(() => undefined);
  }
}
