import type { ClipboardMessage } from '../../protocol';
import type { TechnicianSession } from '../core/session/technician-session';
import { byId } from './dom';
import type { MessageKey } from './messages';

/** The technician's own clipboard (the browser's asynchronous Clipboard API). */
export interface LocalClipboard {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/** What the menu needs from the page around it. */
export interface ClipboardMenuHost {
  /** The session of the moment, if any. */
  session(): TechnicianSession | undefined;
  notice(key: MessageKey): void;
  /** The saved choice of automatic mode. */
  auto: boolean;
}

/**
 * The toolbar's clipboard menu: send the technician's clipboard text to the customer,
 * get the customer's into the technician's, or keep both in step by themselves (the
 * customer's side then sends each new copy; this page sends its own when the technician
 * comes back to it, since a page cannot watch the clipboard while it is in the
 * background). Offered only where the session can (control, and a customer's app and
 * relay that named `clipboard`).
 */
export class ClipboardMenu {
  private readonly menu = byId('clipboard-menu');
  private readonly toggle = byId<HTMLButtonElement>('clipboard-toggle');
  private readonly panel = byId('clipboard-panel');
  private readonly autoBox = byId<HTMLInputElement>('clipboard-auto');
  /** The last text that went either way: in automatic mode the same text does not go back. */
  private lastExchanged: string | undefined;

  constructor(private readonly host: ClipboardMenuHost, private readonly local: LocalClipboard | undefined) {
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    byId('clipboard-send').addEventListener('click', () => {
      this.setOpen(false);
      void this.sendLocal(true);
    });
    byId('clipboard-fetch').addEventListener('click', () => {
      this.setOpen(false);
      this.host.session()?.requestClipboard(this.host.auto);
    });
    this.autoBox.addEventListener('change', () => {
      this.host.auto = this.autoBox.checked;
      this.host.session()?.requestClipboard(this.autoBox.checked);
      if (this.autoBox.checked) void this.sendLocal(false);
    });
    window.addEventListener('focus', () => {
      if (this.host.auto && !this.menu.hidden) void this.sendLocal(false);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.contains(e.target as Node)) this.setOpen(false);
    });
  }

  /** A session began (`available`: it can use the clipboard) or ended. */
  reset(available: boolean): void {
    this.menu.hidden = !available;
    this.lastExchanged = undefined;
    this.autoBox.checked = this.host.auto;
    this.setOpen(false);
    if (available && this.host.auto) {
      this.host.session()?.requestClipboard(true);
      void this.sendLocal(false);
    }
  }

  /** The customer's clipboard arrived (asked for, or followed). */
  async received(message: ClipboardMessage): Promise<void> {
    if (message.problem !== undefined) {
      this.host.notice(message.problem === 'too-long' ? 'noticeClipboardTooLong' : 'noticeClipboardUnavailable');
      return;
    }
    if (message.text === '') {
      this.host.notice('noticeClipboardEmpty');
      return;
    }
    this.lastExchanged = message.text;
    try {
      if (this.local === undefined) throw new Error('no clipboard API');
      await this.local.writeText(message.text);
      this.host.notice('noticeClipboardCopied');
    } catch {
      this.host.notice('noticeClipboardBlocked');
    }
  }

  /** Sends the technician's clipboard text; `always`: even when it is what went last (a click means it). */
  private async sendLocal(always: boolean): Promise<void> {
    const session = this.host.session();
    if (session === undefined || !session.canUseClipboard) return;
    let text: string;
    try {
      if (this.local === undefined) throw new Error('no clipboard API');
      text = await this.local.readText();
    } catch {
      if (always) this.host.notice('noticeClipboardBlocked');
      return;
    }
    if (!always && (text === '' || text === this.lastExchanged)) return;
    if (!session.sendClipboard(text)) {
      this.host.notice('noticeClipboardTooLong');
      return;
    }
    this.lastExchanged = text;
    this.host.notice('noticeClipboardSent');
  }

  private setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
  }
}
