import { Errors } from '../../protocol';
import { ManualClock } from '../../relay/clock';
import type { Relay } from '../../relay/server';
import { closeAddressAgents, helloFrom, legacyCallFrom, loopbackAddress } from '../support/from-address';
import { legacyCall, startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Finding 7: the global wrong-code limit (200 a minute) was applied before the code was
 * checked, and 4 wrong codes per address per minute never tripped the per-address
 * cool-down: 50 addresses × 4 wrong codes refused a real technician with the right code,
 * on both paths, for as long as they kept going.
 */
describe('attack: locking every technician out', () => {
  let relay: Relay;
  beforeEach(async () => {
    // The shipped guessing limits.
    relay = await startTestRelay({ codeAttemptsPerIp: 5, codeAttemptsGlobal: 200, codeCooldownMs: 300_000, codeAttemptWindowMs: 60_000 });
  });
  afterEach(async () => {
    closeAddressAgents();
    await relay.close();
  });

  /** One wrong code from `address`, over the WebSocket path; the error code it got. */
  async function guess(address: string, code: string): Promise<string> {
    const peer = await helloFrom(relay.wsUrl, 'technician', address);
    peer.sendJson({ type: 'join', code, name: 'x' });
    return (await peer.next('error')).code;
  }

  test('50 addresses × 4 wrong codes, round after round: the real technician always gets in, the guessers are stopped', async () => {
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const guesses: Promise<string>[] = [];
      for (let a = 0; a < 50; a++) {
        for (let g = 0; g < 4; g++) {
          const address = loopbackAddress(71, a);
          const code = String(100_000 + round * 1000 + a * 4 + g);
          guesses.push(a % 2 === 0
            ? guess(address, code)
            : legacyCallFrom(relay.url, 'connect_technician/', { access_code: code }, address).then((r) => r.json.error.code as string));
        }
      }
      for (const code of await Promise.all(guesses)) outcomes.set(code, (outcomes.get(code) ?? 0) + 1);

      // A customer is waiting; the real technician, from an address that never guessed,
      // joins with the code the customer read out: on each path, every round.
      const customer = await WsTestPeer.hello(relay.wsUrl, 'client');
      customer.sendJson({ type: 'register', name: `PC-${round}` });
      const { code } = await customer.next('code');
      if (round % 2 === 0) {
        const tech = await helloFrom(relay.wsUrl, 'technician', loopbackAddress(72, round));
        tech.sendJson({ type: 'join', code, name: 'Ana (CompuEasys)' });
        expect(await tech.next()).toMatchObject({ type: 'waiting-consent' });
      } else {
        const tech = await legacyCallFrom(relay.url, 'connect_technician/', { access_code: code, technician_name: 'Ana' }, loopbackAddress(72, round));
        expect(tech.status).toBe(200);
      }
      expect((await customer.next('consent-request')).technicianName).toMatch(/^Ana/);
    }
    // 600 guesses: the first 200 were checked, then the relay was on alert and each address
    // that had guessed was refused, whatever the path.
    expect(outcomes.get(Errors.CODE_INVALID.code)).toBeLessThanOrEqual(250);
    expect(outcomes.get(Errors.CODE_ATTEMPTS.code)).toBeGreaterThanOrEqual(350);
  });

  test('an address making 4 wrong codes a minute is stopped in its second minute (counted over the cool-down window)', async () => {
    const clock = new ManualClock();
    await relay.close();
    relay = await startTestRelay({ codeAttemptsPerIp: 5, codeAttemptsGlobal: 200, codeCooldownMs: 300_000 }, clock);
    const address = loopbackAddress(73, 0);
    const answers: string[] = [];
    for (let minute = 0; minute < 2; minute++) {
      for (let i = 0; i < 4; i++) answers.push(await guess(address, String(200_000 + minute * 10 + i)));
      clock.advance(60_000);
    }
    expect(answers).toEqual([...Array(5).fill(Errors.CODE_INVALID.code), ...Array(3).fill(Errors.CODE_ATTEMPTS.code)]);
  });
});

describe('IPv6: a /64 is one address', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('guesses from many addresses of one /64, behind the operator\'s proxy, share one budget', async () => {
    relay = await startTestRelay({ trustProxy: ['127.0.0.1'], codeAttemptsPerIp: 5 });
    const from = (address: string): RequestInit => ({ headers: { 'content-type': 'application/json', 'x-forwarded-for': address } });
    const answers: number[] = [];
    for (let i = 1; i <= 8; i++) {
      answers.push((await legacyCall(relay.url, 'connect_technician/', { access_code: String(300_000 + i) }, from(`2001:db8:5:6::${i.toString(16)}`))).status);
    }
    expect(answers).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    // Another /64 is another customer.
    expect((await legacyCall(relay.url, 'connect_technician/', { access_code: '300100' }, from('2001:db8:5:7::1'))).status).toBe(404);
  });
});
