import { Agent, request } from 'node:http';
import type { Role } from '../../protocol';
import { WsTestPeer } from './ws-peer';

/**
 * Traffic from many addresses of one machine: every 127.x.y.z is this machine's, and a
 * socket may bind to any of them as its source, so a test can be 1,000 different
 * clients of the relay without leaving loopback.
 */

/** The `n`-th address of a test's own block `127.<block>.x.y` (n from 0 to 65,023; last octet 1–254). */
export function loopbackAddress(block: number, n: number): string {
  if (block < 1 || block > 254 || !Number.isInteger(n) || n < 0 || n >= 254 * 256) throw new RangeError('127.<1-254>.x.<1-254> only');
  return `127.${block}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
}

const agents = new Map<string, Agent>();

/** One keep-alive agent per source address, so many calls reuse their connections. */
function agentFor(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 4, localAddress });
    agents.set(localAddress, agent);
  }
  return agent;
}

/** Closes the keep-alive connections of every source address (end of a test). */
export function closeAddressAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** A legacy API call from `localAddress`; the status and the parsed JSON (or the raw text). */
export function legacyCallFrom(
  baseUrl: string, path: string, body: unknown, localAddress: string, headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const url = new URL(`/api/relay/${path}`, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: payload === undefined ? 'GET' : 'POST',
      agent: agentFor(localAddress),
      headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': String(payload.byteLength) } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch { /* not JSON: keep the text */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A WebSocket peer from `localAddress` that said hello. */
export function helloFrom(wsUrl: string, role: Role, localAddress: string): Promise<WsTestPeer> {
  return WsTestPeer.hello(wsUrl, role, { localAddress });
}
