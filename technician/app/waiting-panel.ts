import { byId } from './dom';
import { formatMessage, type Messages } from './messages';

/** One customer as the relay lists it (relay/accounts/waiting-board.ts): never a code. */
interface Waiting {
  readonly id: string;
  readonly name: string;
  readonly since: number;
}

/** Redraws the waiting times this often, ms. */
const CLOCK_MS = 15_000;
/** Longest name shown (the relay caps names at 64 too). */
const MAX_NAME = 64;

/** What the panel needs from the page around it. */
export interface WaitingPanelHost {
  chime(): void;
}

/**
 * "Clientes esperando / Customers waiting", for a signed-in technician: the customers who
 * started waiting, live (server-sent events from /api/account/waiting), with how long each
 * has waited, and a desktop notification and a sound when one arrives (also with the tab
 * in the background, once the technician turned the alerts on). The technician still asks
 * the customer for the code: it is never sent here.
 */
export class WaitingPanel {
  private readonly panel = byId('waiting-panel');
  private readonly list = byId<HTMLUListElement>('waiting-list');
  private readonly empty = byId('waiting-empty');
  private readonly alertsButton = byId<HTMLButtonElement>('waiting-alerts');
  private source: EventSource | undefined;
  private customers: readonly Waiting[] = [];
  /** Ids already seen: only a new arrival alerts, not the list as it was when the page opened. */
  private seen: Set<string> | undefined;
  /** The relay's clock minus ours, so waiting times do not depend on this computer's clock. */
  private clockOffsetMs = 0;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: WaitingPanelHost, private messages: Messages) {
    this.alertsButton.addEventListener('click', () => {
      void Notification.requestPermission().then(() => this.renderAlertsButton());
    });
  }

  /** Signed in: watch the list. */
  start(): void {
    if (this.source !== undefined) return;
    this.panel.hidden = false;
    this.seen = undefined;
    this.source = new EventSource('/api/account/waiting');
    this.source.onmessage = (e: MessageEvent<string>) => this.onList(e.data);
    this.clock = setInterval(() => this.render(), CLOCK_MS);
    this.renderAlertsButton();
  }

  /** Signed out (or left the page): stop watching. */
  stop(): void {
    this.source?.close();
    this.source = undefined;
    if (this.clock !== undefined) clearInterval(this.clock);
    this.clock = undefined;
    this.panel.hidden = true;
    delete this.panel.dataset.listed;
    this.customers = [];
    this.list.replaceChildren();
  }

  setMessages(messages: Messages): void {
    this.messages = messages;
    this.render();
  }

  private onList(text: string): void {
    let parsed: { customers?: unknown; now?: unknown };
    try {
      parsed = JSON.parse(text) as { customers?: unknown; now?: unknown };
    } catch {
      return;
    }
    if (!Array.isArray(parsed.customers) || typeof parsed.now !== 'number') return;
    this.clockOffsetMs = parsed.now - Date.now();
    this.customers = parsed.customers.filter((c): c is Waiting => typeof c === 'object' && c !== null
      && typeof (c as Waiting).id === 'string' && typeof (c as Waiting).name === 'string' && typeof (c as Waiting).since === 'number');
    const arrived = this.seen === undefined ? [] : this.customers.filter((c) => !this.seen!.has(c.id));
    this.seen = new Set(this.customers.map((c) => c.id));
    // For whoever inspects the page (tests, support staff): the relay's list has arrived.
    this.panel.dataset.listed = 'true';
    this.render();
    for (const customer of arrived) this.alert(customer);
  }

  private alert(customer: Waiting): void {
    this.host.chime();
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    // `tag`: one notification per customer, however often the list is sent again.
    new Notification(this.messages.waitingNotificationTitle, { body: customer.name.slice(0, MAX_NAME), tag: `waiting-${customer.id}` });
  }

  private render(): void {
    const now = Date.now() + this.clockOffsetMs;
    this.empty.hidden = this.customers.length > 0;
    this.list.replaceChildren(...this.customers.map((c) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'waiting-name';
      name.textContent = c.name.slice(0, MAX_NAME) || '—';
      const time = document.createElement('span');
      time.className = 'waiting-time';
      const minutes = Math.floor(Math.max(0, now - c.since) / 60_000);
      time.textContent = minutes < 1 ? this.messages.waitingJustNow : formatMessage(this.messages.waitingFor, { minutes });
      item.append(name, time);
      return item;
    }));
  }

  private renderAlertsButton(): void {
    this.alertsButton.hidden = typeof Notification === 'undefined' || Notification.permission !== 'default';
  }
}
