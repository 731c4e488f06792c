import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Who a request comes from, as the limits see it. Two rules make per-address limits mean
 * something:
 *
 * - An IPv6 customer usually holds a whole /64 (2^64 addresses), so an IPv6 address is
 *   limited by its /64; an IPv4 address (and an IPv4-mapped IPv6 one) by itself.
 * - X-Forwarded-For is written by whoever sends the request. It is believed only when the
 *   request comes from a proxy the operator listed (`--trust-proxy 10.0.0.0/8,::1`), and
 *   then read from the right, skipping the listed proxies: the first other hop is the
 *   one the operator's own proxy saw.
 */

/** The operator's proxies: addresses and CIDR ranges whose X-Forwarded-For is believed. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws an Error naming the entry when one is not an address or a CIDR range. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, prefixText, extra] = entry.split('/');
      const family = isIP(address ?? '');
      const maxPrefix = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
      if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || prefixText === '') {
        throw new Error(`not an IP address or CIDR range: ${entry} (list your proxies' addresses, e.g. 10.0.0.0/8,::1)`);
      }
      this.list.addSubnet(address!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The peer's address: the socket's, or, behind a listed proxy, the first X-Forwarded-For hop from the right that is not one. */
export function peerAddress(req: IncomingMessage, proxies: TrustedProxies): string {
  const direct = req.socket.remoteAddress ?? 'unknown';
  if (proxies.size === 0 || !proxies.has(direct)) return direct;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return direct; // a malformed hop: trust nothing beyond our own proxy
    if (!proxies.has(hop)) return hop;
  }
  return direct;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bytes = v4[1]!.split('.').map(Number);
    tail.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    text = text.slice(0, -v4[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<number>(missing).fill(0), ...rest, ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The key limits count an address under: `203.0.113.7`, or `2001:db8:1:2::/64`. An
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) is its IPv4 address. Also what the logs
 * print, so abuse can be traced to the unit that was limited.
 */
export function addressKey(address: string): string {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return address;
  const groups = ipv6Groups(address.split('%')[0]!);
  if (groups === undefined) return address;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
