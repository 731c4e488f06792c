import { COMMAND_EVENT, parseEnvelope, type UiCommand } from '../contract/ui-events';
import type { AgentChannel, ChannelListeners } from './agent-channel';

/** Wait between attempts to reach the agent again after the socket dropped. */
const RETRY_MS = 2000;

/**
 * The browser fallback: a WebSocket to the agent's local server, at `ui` beside the page.
 * The browser sends the window's HttpOnly cookie and its Origin with it; the agent
 * accepts nothing else (client/window/local-page-server.ts).
 */
export class WebSocketChannel implements AgentChannel {
  readonly kind = 'websocket';
  private ws: WebSocket | undefined;
  private listeners: ChannelListeners | undefined;

  constructor(private readonly url: string) {}

  /** `ws://host:port/ui` for a page at `http://host:port/…`. */
  static besidePage(location: Location): WebSocketChannel {
    const url = new URL('ui', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    return new WebSocketChannel(url.toString());
  }

  start(listeners: ChannelListeners): void {
    this.listeners = listeners;
    this.open();
  }

  send(command: UiCommand): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ event: COMMAND_EVENT, data: command }));
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => this.listeners?.onStatus('open'));
    ws.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      const envelope = parseEnvelope(e.data);
      if (envelope) this.listeners?.onEvent(envelope);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.listeners?.onStatus('closed');
      setTimeout(() => this.open(), RETRY_MS);
    });
  }
}
