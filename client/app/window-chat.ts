import { isChatText } from '../../protocol';
import type { ChatAuthor, ChatUpdate } from '../contract/ui-events';
import type { WindowMessages } from './window-messages';

function byId<T extends HTMLElement = HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (el === null) throw new Error(`customer window: #${id} is missing`);
  return el as T;
}

/** What the chat asks of the window around it. */
export interface WindowChatActions {
  send(text: string): void;
  /** The panel opened or closed (the native window widens for it). */
  onOpenChange(open: boolean): void;
  /** The technician wrote and the panel is closed: a short sound. */
  chime(): void;
}

/**
 * The customer's side of the chat in the window: a button (with the count of unread
 * messages) while a technician who can chat is connected, and a side panel with the talk.
 * It shows what the agent reports (ChatUpdate): a line the customer sends appears once the
 * agent took it, so nothing is shown as sent that the technician will not get. Text goes
 * in with `textContent`: shown, never interpreted.
 */
export class WindowChat {
  private readonly toggle: HTMLButtonElement;
  private readonly unread: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly input: HTMLTextAreaElement;
  private chat = -1;
  private lastLine = 0;
  private unreadCount = 0;
  private technicianName = '';

  constructor(private readonly doc: Document, private t: WindowMessages, private readonly actions: WindowChatActions) {
    this.toggle = byId(doc, 'chat-toggle');
    this.unread = byId(doc, 'chat-unread');
    this.panel = byId(doc, 'chat-panel');
    this.log = byId(doc, 'chat-log');
    this.input = byId(doc, 'chat-input');
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    byId(doc, 'chat-close').addEventListener('click', () => this.setOpen(false));
    byId<HTMLFormElement>(doc, 'chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter starts a new line.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.setMessages(t);
  }

  setMessages(t: WindowMessages): void {
    this.t = t;
    this.input.placeholder = t.chatPlaceholder;
    byId(this.doc, 'chat-close').setAttribute('aria-label', t.close);
    for (const author of this.log.querySelectorAll<HTMLElement>('.from-customer .chat-author')) author.textContent = t.chatYou;
  }

  /** Whose messages the technician's are (the name in the sharing state). */
  setTechnicianName(name: string): void {
    this.technicianName = name;
  }

  update(update: ChatUpdate): void {
    if (update.kind === 'available') {
      if (update.chat !== this.chat && update.available) {
        // A new session's chat: the old talk goes.
        this.chat = update.chat;
        this.lastLine = 0;
        this.log.replaceChildren();
        this.unreadCount = 0;
        this.renderUnread();
      }
      this.toggle.hidden = !update.available;
      this.input.disabled = !update.available;
      if (!update.available) this.setOpen(false);
      return;
    }
    if (update.n <= this.lastLine) return; // a replay for another page: already shown
    this.lastLine = update.n;
    this.append(update.from, update.text);
    if (update.from === 'technician' && this.panel.hidden) {
      this.unreadCount++;
      this.renderUnread();
      this.actions.chime();
    }
  }

  private submit(): void {
    const text = this.input.value;
    if (text.trim() === '' || !isChatText(text)) return;
    this.actions.send(text);
    this.input.value = '';
  }

  private setOpen(open: boolean): void {
    if (open === !this.panel.hidden) return;
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      this.unreadCount = 0;
      this.renderUnread();
      this.input.focus();
    }
    this.actions.onOpenChange(open);
  }

  private append(from: ChatAuthor, text: string): void {
    const item = this.doc.createElement('li');
    item.className = `chat-message from-${from}`;
    const author = this.doc.createElement('span');
    author.className = 'chat-author';
    author.textContent = from === 'customer' ? this.t.chatYou : this.technicianName;
    const body = this.doc.createElement('p');
    body.className = 'chat-text';
    body.textContent = text;
    item.append(author, body);
    this.log.append(item);
    item.scrollIntoView({ block: 'end' });
  }

  private renderUnread(): void {
    this.unread.hidden = this.unreadCount === 0;
    this.unread.textContent = String(this.unreadCount);
  }
}
