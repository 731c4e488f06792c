/** The WebSocket endpoint on the relay (PROTOCOL.md §1). */
const RELAY_WS_PATH = '/ws';

/** The parts of `window.location` that matter here. */
export interface PageLocation {
  readonly protocol: string;
  readonly host: string;
  readonly search?: string;
}

/** `wss://host[:port]` of a relay address given as ws(s):// or http(s)://; throws on any other scheme. */
function relayOrigin(address: string): string {
  const url = new URL(address);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error(`relay: unsupported scheme ${url.protocol}`);
  return `${url.protocol}//${url.host}`;
}

/**
 * The relay's WebSocket URL. The page is normally served by the relay itself, so the
 * socket goes to the same host (`wss` when the page came over https).
 *
 * A `?relay=` query parameter names another relay, given as `wss://host[:port]` or
 * `https://host` (a path is replaced by `/ws`). A page served by a relay (`allowedRelays`
 * defined: the relay lists them in a meta tag) follows it only to a relay on that list,
 * so a link cannot send the code a customer reads out to someone else's relay; any other
 * value is ignored. A page opened from elsewhere (no list) follows it as given.
 */
export function relayWebSocketUrl(location: PageLocation, allowedRelays?: readonly string[]): string {
  const own = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${RELAY_WS_PATH}`;
  const override = new URLSearchParams(location.search ?? '').get('relay');
  if (!override) return own;
  const origin = relayOrigin(override);
  if (allowedRelays !== undefined && !allowedRelays.includes(origin)) return own;
  return `${origin}${RELAY_WS_PATH}`;
}

/** The list in the page's meta tag, or undefined when the page has none (not served by a relay). */
export function allowedRelaysFrom(content: string | null | undefined): readonly string[] | undefined {
  if (content === null || content === undefined) return undefined;
  return content.split(/\s+/).filter((origin) => origin !== '');
}
