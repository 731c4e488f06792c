import { CloseCode, Errors } from '../../protocol';
import { createRelay, type Relay } from '../../relay/server';
import { InMemorySessionRegistry } from '../../relay/session-registry';
import type { Session } from '../../relay/session';
import pino from 'pino';
import { legacyCall } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/**
 * A store that breaks on demand: what a shared session store (Redis, later) does when it
 * is unreachable. A failure inside the relay must cost only the request or socket that
 * met it: 500 or close 1011 with RS_ERR_SERVER_INTERNAL, logged and counted, and the
 * relay goes on serving everyone else.
 */
class BreakableRegistry extends InMemorySessionRegistry {
  broken = false;
  override bindCode(code: string, session: Session): boolean {
    if (this.broken) throw new Error('session store unreachable');
    return super.bindCode(code, session);
  }
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('a failure inside the relay', () => {
  let relay: Relay;
  const registry = new BreakableRegistry();

  beforeAll(async () => {
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'silent' }), registry });
  });
  afterAll(async () => {
    await relay.close();
  });

  test('answers a legacy call 500 RS_ERR_SERVER_INTERNAL, not 400', async () => {
    registry.broken = true;
    const res = await legacyCall(relay.url, 'register_client/', { client_id: 'PC_1', access_code: '123456' });
    registry.broken = false;
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ success: false, error: { code: Errors.SERVER_INTERNAL.code, message: Errors.SERVER_INTERNAL.message } });
  });

  test('closes only that WebSocket, with the error and 1011; a session beside it goes on', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    const victim = await WsTestPeer.hello(relay.wsUrl, 'client');
    registry.broken = true;
    victim.sendJson({ type: 'register', name: 'PC' });
    expect((await victim.next('error')).code).toBe(Errors.SERVER_INTERNAL.code);
    expect((await victim.closed).code).toBe(CloseCode.INTERNAL_ERROR);
    registry.broken = false;
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 2 } });
    expect((await client.next('input')).event).toEqual({ kind: 'pointer-move', x: 1, y: 2 });
    const fresh = await WsTestPeer.hello(relay.wsUrl, 'client');
    fresh.sendJson({ type: 'register', name: 'PC' });
    expect((await fresh.next('code')).code).toMatch(/^[0-9]{6}$/);
  });

  test('is counted in /metrics', async () => {
    const res = await fetch(`${relay.url}/metrics`);
    const text = await res.text();
    expect(metricValue(text, 'relay_http_failures_total')).toBe(1);
    expect(metricValue(text, 'relay_peer_failures_total')).toBe(1);
    expect(text).toContain('relay_errors_sent_total{code="RS_ERR_SERVER_INTERNAL"} 1');
  });
});
