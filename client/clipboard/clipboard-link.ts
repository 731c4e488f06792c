import type { Logger } from 'pino';
import { isClipboardText, MAX_CLIPBOARD_TEXT_LENGTH, type ClipboardMessage } from '../../protocol';
import { ClipboardTooLong, type SystemClipboard } from './clipboard';

/**
 * Most UTF-8 bytes read from the system clipboard: a text of MAX_CLIPBOARD_TEXT_LENGTH
 * UTF-16 units is at most three bytes per unit (a pair, two units, is four bytes).
 */
const MAX_CLIPBOARD_BYTES = MAX_CLIPBOARD_TEXT_LENGTH * 3;
/** Copying fires several changes in a row (some programs take the selection twice): read once they settle. */
const FOLLOW_SETTLE_MS = 150;

/**
 * The clipboard during one session with a technician who may use it (control, and a page
 * and relay that named `clipboard`): the technician's text goes into the customer's
 * clipboard; asked, the customer's goes back, and while followed, again each time another
 * program copies something. Failures are logged and answered, never thrown.
 */
export class ClipboardLink {
  private stopFollowing: (() => void) | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The text we wrote ourselves: its change notice is not news for the technician. */
  private lastWritten: string | undefined;
  private lastSent: string | undefined;
  private stopped = false;

  constructor(
    private readonly clipboard: SystemClipboard,
    private readonly send: (message: ClipboardMessage) => void,
    private readonly logger: Logger,
  ) {}

  /** The technician's text for the customer's clipboard. */
  async write(text: string): Promise<void> {
    if (this.stopped) return;
    try {
      this.lastWritten = text;
      await this.clipboard.writeText(text);
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'could not put the technician\'s text in the clipboard');
    }
  }

  /** The technician asks for the clipboard (now, and with `follow` on each change until asked without). */
  request(follow: boolean): void {
    if (this.stopped) return;
    this.stopFollowing?.();
    this.stopFollowing = undefined;
    this.lastSent = undefined;
    if (follow) {
      this.stopFollowing = this.clipboard.onChange(() => {
        if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
        this.settleTimer = setTimeout(() => {
          this.settleTimer = undefined;
          void this.sendCurrent(true);
        }, FOLLOW_SETTLE_MS);
      });
    }
    void this.sendCurrent(false);
  }

  stop(): void {
    this.stopped = true;
    this.stopFollowing?.();
    this.stopFollowing = undefined;
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
  }

  /** Reads the clipboard and sends it; following, only what is new (not what the technician just put there). */
  private async sendCurrent(onlyIfNew: boolean): Promise<void> {
    let message: ClipboardMessage;
    try {
      const text = await this.clipboard.readText(MAX_CLIPBOARD_BYTES);
      if (onlyIfNew && (text === this.lastSent || text === this.lastWritten)) return;
      message = isClipboardText(text) ? { type: 'clipboard', text } : { type: 'clipboard', text: '', problem: 'too-long' };
      this.lastSent = text;
    } catch (error) {
      if (!(error instanceof ClipboardTooLong)) this.logger.warn({ err: String(error) }, 'could not read the clipboard');
      message = { type: 'clipboard', text: '', problem: error instanceof ClipboardTooLong ? 'too-long' : 'unavailable' };
    }
    if (!this.stopped) this.send(message);
  }
}
