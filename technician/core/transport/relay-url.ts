/** The WebSocket endpoint on the relay (PROTOCOL.md §1). */
const RELAY_WS_PATH = '/ws';

/** The parts of `window.location` that matter here. */
export interface PageLocation {
  readonly protocol: string;
  readonly host: string;
  readonly search?: string;
}

/**
 * The relay's WebSocket URL. The page is normally served by the relay itself, so the
 * socket goes to the same host (`wss` when the page came over https). A `?relay=` query
 * parameter overrides it for a page served elsewhere (the Neutralino window), given as
 * `wss://host[:port]` or `https://host`; a path is replaced by `/ws`.
 */
export function relayWebSocketUrl(location: PageLocation): string {
  const override = new URLSearchParams(location.search ?? '').get('relay');
  if (override) {
    const url = new URL(override);
    if (url.protocol === 'https:') url.protocol = 'wss:';
    else if (url.protocol === 'http:') url.protocol = 'ws:';
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error(`relay: unsupported scheme ${url.protocol}`);
    return `${url.protocol}//${url.host}${RELAY_WS_PATH}`;
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${RELAY_WS_PATH}`;
}
