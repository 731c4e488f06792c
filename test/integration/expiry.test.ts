import { CloseCode, Errors } from '../../protocol';
import { ManualClock } from '../../relay/clock';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/** Time is moved by hand here: nothing waits ten real minutes. */
describe('expiry with a controlled clock', () => {
  let relay: Relay;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    // A long sweep interval: the tests call relay.sweep() themselves, at the moment they choose.
    relay = await startTestRelay({ sweepIntervalMs: 3_600_000, codeAttemptsPerIp: 5 }, clock);
  });
  afterEach(async () => {
    await relay.close();
  });

  async function register(): Promise<{ client: WsTestPeer; code: string; expiresAt: number }> {
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC' });
    const msg = await client.next('code');
    return { client, code: msg.code, expiresAt: msg.expiresAt };
  }

  test('a code works until 10 minutes after issue', async () => {
    const { code, expiresAt } = await register();
    expect(expiresAt).toBe(clock.now() + 10 * 60_000);
    clock.advance(10 * 60_000 - 1);
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'T' });
    await tech.next('waiting-consent');
  });

  test('an expired code is refused like a wrong one, and the client is told its code expired', async () => {
    const { client, code } = await register();
    clock.advance(10 * 60_000);
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'T' });
    expect((await tech.next('error')).code).toBe(Errors.CODE_INVALID.code);
    relay.sweep();
    expect((await client.next('error')).code).toBe(Errors.CODE_EXPIRED.code);
    expect((await client.closed).code).toBe(CloseCode.TIMEOUT);
    expect(relay.hub.registry.codeCount).toBe(0);
  });

  test('asking for a new code replaces the old one and restarts the 10 minutes', async () => {
    const { client, code } = await register();
    clock.advance(9 * 60_000);
    client.sendJson({ type: 'register', name: 'PC' });
    const renewed = await client.next('code');
    expect(renewed.code).not.toBe(code);
    clock.advance(9 * 60_000);
    relay.sweep();
    const old = await WsTestPeer.hello(relay.wsUrl, 'technician');
    old.sendJson({ type: 'join', code, name: 'T' });
    expect((await old.next('error')).code).toBe(Errors.CODE_INVALID.code);
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: renewed.code, name: 'T' });
    await tech.next('waiting-consent');
  });

  test('a customer who does not answer in time is taken as a refusal', async () => {
    const { client, code } = await register();
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'T' });
    await client.next('consent-request');
    clock.advance(60_000);
    relay.sweep();
    expect((await tech.until('error')).code).toBe(Errors.CONSENT_TIMEOUT.code);
    expect((await tech.closed).code).toBe(CloseCode.CONSENT_DENIED);
    expect((await client.next('error')).code).toBe(Errors.CONSENT_TIMEOUT.code);
    expect((await client.next('code')).code).toMatch(/^[0-9]{6}$/);
  });

  test('the address cool-down ends: after it, the right code works again', async () => {
    const { code } = await register();
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) {
      const t = await WsTestPeer.hello(relay.wsUrl, 'technician');
      t.sendJson({ type: 'join', code: wrong, name: 'G' });
      await t.next('error');
    }
    const blocked = await WsTestPeer.hello(relay.wsUrl, 'technician');
    blocked.sendJson({ type: 'join', code, name: 'T' });
    expect((await blocked.next('error')).code).toBe(Errors.CODE_ATTEMPTS.code);
    clock.advance(5 * 60_000);
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'T' });
    await tech.next('waiting-consent');
  });

  test('no session lives past its maximum age (24 h by default)', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    clock.advance(24 * 3600_000);
    relay.sweep();
    expect((await client.next('error')).code).toBe(Errors.TIMEOUT_SESSION_AGE.code);
    expect((await tech.next('error')).code).toBe(Errors.TIMEOUT_SESSION_AGE.code);
    expect((await client.closed).code).toBe(CloseCode.TIMEOUT);
    expect(relay.hub.registry.size).toBe(0);
  });
});
