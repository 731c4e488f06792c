import type { ServerResponse } from 'node:http';
import type { Hub } from '../hub';

/** A customer waiting for a technician, as the waiting view shows it: never the code. */
export interface WaitingCustomer {
  /** The session's log id: stable while it waits, and no credential. */
  readonly id: string;
  /** The name the customer's app gave (the computer's name). */
  readonly name: string;
  /** When it started waiting (ms since the epoch). */
  readonly since: number;
}

/** How often the list is looked at while someone watches it: a new customer shows within this. */
export const WAITING_SAMPLE_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;
/** Most pages watching at once; more are refused (503) rather than held. */
export const MAX_WAITING_WATCHERS = 200;
/** Most pages one account may have watching: a few tabs, never every slot of the relay. */
export const MAX_WAITING_WATCHERS_PER_ACCOUNT = 5;
/** Most customers listed (the longest waiting first). */
export const MAX_WAITING_LISTED = 200;

/**
 * The waiting customers for signed-in technicians, as a stream of server-sent events: the
 * whole list (≤ MAX_WAITING_LISTED) at once, then again whenever it changes. One timer for
 * every watcher, running only while someone watches, looks at the hub every
 * WAITING_SAMPLE_MS: a customer who starts waiting shows within that, and the hub's paths
 * stay free of watchers.
 */
export class WaitingBoard {
  private readonly watchers = new Set<ServerResponse>();
  private readonly perAccount = new Map<number, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private last = '';

  constructor(private readonly hub: Hub) {}

  get watching(): number {
    return this.watchers.size;
  }

  /**
   * Streams the list to `res` until it closes; false (nothing written) when too many already
   * watch, on the relay or for this account (`userId`).
   */
  watch(res: ServerResponse, userId: number): boolean {
    const mine = this.perAccount.get(userId) ?? 0;
    if (this.watchers.size >= MAX_WAITING_WATCHERS || mine >= MAX_WAITING_WATCHERS_PER_ACCOUNT) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    this.watchers.add(res);
    this.perAccount.set(userId, mine + 1);
    res.on('close', () => {
      const left = (this.perAccount.get(userId) ?? 1) - 1;
      if (left > 0) this.perAccount.set(userId, left);
      else this.perAccount.delete(userId);
      this.unwatch(res);
    });
    res.write(this.event(this.list()));
    if (this.timer === undefined) {
      this.last = JSON.stringify(this.list());
      this.timer = setInterval(() => this.sample(), WAITING_SAMPLE_MS);
      this.keepalive = setInterval(() => { for (const w of this.watchers) w.write(': keepalive\n\n'); }, KEEPALIVE_MS);
    }
    return true;
  }

  /** Ends every stream (the relay stops). */
  close(): void {
    for (const w of [...this.watchers]) w.end();
    this.watchers.clear();
    this.perAccount.clear();
    this.stop();
  }

  list(): WaitingCustomer[] {
    const waiting: WaitingCustomer[] = [];
    for (const s of this.hub.registry.values()) {
      if (s.state === 'waiting' && !s.client.legacy) waiting.push({ id: s.logId, name: s.client.name, since: s.createdAt });
    }
    return waiting.sort((a, b) => a.since - b.since).slice(0, MAX_WAITING_LISTED);
  }

  private sample(): void {
    const list = this.list();
    const text = JSON.stringify(list);
    if (text === this.last) return;
    this.last = text;
    const event = this.event(list);
    for (const w of this.watchers) w.write(event);
  }

  private event(list: readonly WaitingCustomer[]): string {
    return `data: ${JSON.stringify({ customers: list, now: Date.now() })}\n\n`;
  }

  private unwatch(res: ServerResponse): void {
    this.watchers.delete(res);
    if (this.watchers.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.keepalive !== undefined) clearInterval(this.keepalive);
    this.timer = undefined;
    this.keepalive = undefined;
  }
}
