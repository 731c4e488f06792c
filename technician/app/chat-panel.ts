import { isChatText } from '../../protocol';
import { byId } from './dom';
import type { Messages } from './messages';

/** Who wrote a line of the chat. */
export type ChatAuthor = 'me' | 'customer';

/**
 * Lines kept on the page for one session: a whole afternoon of talk, and never more, so a
 * customer's app that keeps sending cannot grow the page without end.
 */
export const MAX_CHAT_LINES = 1000;

/** What the chat needs from the page around it. */
export interface ChatPanelActions {
  /** Sends one message; false when it could not go (no chat, or the text cannot be carried). */
  send(text: string): boolean;
  /** Something arrived while the panel was closed: a short sound. */
  chime(): void;
  /** The panel opened or closed: the screen has another width to fit. */
  onToggle(): void;
}

/**
 * The chat with the customer: a toolbar button with an unread count, a side panel with the
 * session's messages (kept until the session ends) and a box to write in. Shown only when
 * the customer's app can chat (TechnicianSession.canChat). Text is put in with
 * `textContent`: whatever the customer types is shown, never interpreted.
 */
export class ChatPanel {
  private readonly toggle = byId<HTMLButtonElement>('chat-toggle');
  private readonly unread = byId('chat-unread');
  private readonly panel = byId('chat-panel');
  private readonly log = byId<HTMLOListElement>('chat-log');
  private readonly form = byId<HTMLFormElement>('chat-form');
  private readonly input = byId<HTMLTextAreaElement>('chat-input');
  private unreadCount = 0;
  private customerName = '';

  constructor(private readonly actions: ChatPanelActions, private messages: Messages) {
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    byId('chat-close').addEventListener('click', () => this.setOpen(false));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter starts a new line (as in every chat).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** A session began (with a chat, or not) or ended (`available` false): the old messages go. */
  reset(available: boolean, customerName: string): void {
    this.customerName = customerName;
    this.log.replaceChildren();
    this.input.value = '';
    this.unreadCount = 0;
    this.renderUnread();
    this.toggle.hidden = !available;
    if (!available) this.setOpen(false);
  }

  setMessages(messages: Messages): void {
    this.messages = messages;
    for (const author of this.log.querySelectorAll<HTMLElement>('.chat-message.from-me .chat-author')) author.textContent = messages.chatMe;
  }

  /** A message from the customer. */
  received(text: string): void {
    this.append('customer', text);
    if (this.isOpen) return;
    this.unreadCount++;
    this.renderUnread();
    this.actions.chime();
  }

  private submit(): void {
    const text = this.input.value;
    if (text.trim() === '' || !isChatText(text)) return;
    if (!this.actions.send(text)) return;
    this.append('me', text);
    this.input.value = '';
  }

  private setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      this.unreadCount = 0;
      this.renderUnread();
      this.input.focus();
      this.log.lastElementChild?.scrollIntoView({ block: 'end' });
    }
    this.actions.onToggle();
  }

  private append(from: ChatAuthor, text: string): void {
    const item = document.createElement('li');
    item.className = `chat-message from-${from}`;
    const author = document.createElement('span');
    author.className = 'chat-author';
    author.textContent = from === 'me' ? this.messages.chatMe : this.customerName;
    const body = document.createElement('p');
    body.className = 'chat-text';
    body.textContent = text;
    item.append(author, body);
    this.log.append(item);
    while (this.log.childElementCount > MAX_CHAT_LINES) this.log.firstElementChild?.remove();
    item.scrollIntoView({ block: 'end' });
  }

  private renderUnread(): void {
    this.unread.hidden = this.unreadCount === 0;
    this.unread.textContent = String(this.unreadCount);
  }
}
