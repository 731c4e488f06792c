import { isIP } from 'node:net';

/** Hosts that never leave this machine. */
function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/**
 * A warning in both languages when the agent is about to talk to a relay over plain
 * `ws://` on another machine: the code and the screen would cross the network readable
 * by anyone on the way. Undefined for `wss://` and for this machine's own addresses.
 */
export function insecureRelayWarning(relayUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'ws:' || isLocalHost(url.hostname)) return undefined;
  return [
    `⚠️  ATENCIÓN: la conexión con ${url.host} no está cifrada (ws://). Cualquiera en la red podría ver el código y su pantalla. Use una dirección wss://.`,
    `⚠️  WARNING: the connection to ${url.host} is not encrypted (ws://). Anyone on the network could see the code and your screen. Use a wss:// address.`,
  ].join('\n');
}

/** Writes the warning, if there is one, where the person starting the agent reads it. */
export function warnIfInsecureRelay(relayUrl: string, out: { write(text: string): unknown }): void {
  const warning = insecureRelayWarning(relayUrl);
  if (warning !== undefined) out.write(`${warning}\n`);
}
