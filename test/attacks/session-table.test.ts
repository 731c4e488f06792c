import { CloseCode, Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { helloFrom, loopbackAddress } from '../support/from-address';
import { startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Finding 5: one address made 20,000 registrations in 2.4 s and a real customer then got
 * RS_ERR_LIMIT_SERVER_FULL; re-sending `register` on one WebSocket kept a slot for hours.
 */
describe('attack: one address fills the session table', () => {
  let relay: Relay;
  beforeAll(async () => {
    // The shipped per-address limits (20 live sessions, 30 registrations a minute); a table
    // of 200 sessions stands in for the default 20,000.
    relay = await startTestRelay({ maxSessions: 200, maxSessionsPerIp: 20, registrationsPerIpPerMinute: 30 });
  });
  afterAll(async () => {
    await relay.close();
  });

  test('registrations from one address stop at 20 live sessions; a real customer elsewhere gets a code', async () => {
    const attacker = loopbackAddress(51, 0);
    const peers: WsTestPeer[] = [];
    let codes = 0;
    let refusal: string | undefined;
    for (let i = 0; i < 300 && refusal === undefined; i++) {
      const peer = await helloFrom(relay.wsUrl, 'client', attacker);
      peers.push(peer);
      peer.sendJson({ type: 'register', name: `BOT-${i}` });
      const answer = await peer.next();
      if (answer.type === 'code') codes++;
      else if (answer.type === 'error') refusal = answer.code;
    }
    expect(codes).toBe(20);
    expect(refusal).toBe(Errors.LIMIT_ADDRESS.code);
    expect((await peers[peers.length - 1]!.closed).code).toBe(CloseCode.TOO_MANY_FROM_ADDRESS);

    const customer = await helloFrom(relay.wsUrl, 'client', loopbackAddress(52, 0));
    customer.sendJson({ type: 'register', name: 'PC-REAL' });
    expect((await customer.next('code')).code).toMatch(/^[0-9]{6}$/);
    for (const p of peers) p.close();
  });

  test('asking again and again for a new code on one socket is limited too (30 a minute)', async () => {
    const peer = await helloFrom(relay.wsUrl, 'client', loopbackAddress(53, 0));
    let codes = 0;
    let refusal: string | undefined;
    for (let i = 0; i < 100 && refusal === undefined; i++) {
      peer.sendJson({ type: 'register', name: 'PC' });
      const answer = await peer.next();
      if (answer.type === 'code') codes++;
      else if (answer.type === 'error') refusal = answer.code;
    }
    expect(codes).toBe(30);
    expect(refusal).toBe(Errors.LIMIT_ADDRESS.code);
  });
});
