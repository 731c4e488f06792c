import { Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { closeAddressAgents, helloFrom, legacyCallFrom, loopbackAddress } from '../support/from-address';
import { startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/** Attacking addresses, and the wrong codes each one tries: 100,000 in all. */
const ATTACKERS = 1000;
const GUESSES_EACH = 100;
/** Customers waiting for a technician while the attack goes on. */
const CUSTOMERS = 200;
/** One in this many guesses goes over the WebSocket path (each costs a socket); the rest over legacy HTTP. */
const WS_EVERY = 20;
/** Guesses in flight at once. */
const CONCURRENCY = 256;

interface Tally {
  invalid: number;
  attempts: number;
  /** A guess that found a live code: the customer was asked (their consent was still needed). */
  prompts: number;
  /** A guess that ended paired without the customer's yes: must stay 0. */
  pairedWithoutConsent: number;
  other: Record<string, number>;
}

/**
 * The whole guessing attack: 100,000 wrong codes from 1,000 addresses at a relay holding
 * 200 waiting customers, with the relay's shipped limits, while a real technician keeps
 * joining with the right code from an address that never guessed. Bounded: it stops when
 * every guess was answered (about half a minute here).
 */
describe('attack: 100,000 guesses from 1,000 addresses', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startTestRelay({ codeAttemptsPerIp: 5, codeAttemptsGlobal: 200, codeCooldownMs: 300_000, codeAttemptWindowMs: 60_000 });
  });
  afterAll(async () => {
    closeAddressAgents();
    await relay.close();
  });

  test('reaches no session without consent, a handful of consent prompts at most, and never refuses the real technician', async () => {
    const prompts: string[] = [];
    const customers: WsTestPeer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const customer = await helloFrom(relay.wsUrl, 'client', loopbackAddress(91, i));
      customer.sendJson({ type: 'register', name: `PC-${i}` });
      await customer.next('code');
      // Every customer declines a technician it did not call, and remembers being asked.
      customer.ws.on('message', (data: Buffer, binary: boolean) => {
        if (!binary && data.toString().includes('"consent-request"')) {
          prompts.push(`PC-${i}`);
          customer.sendJson({ type: 'consent', granted: false, viewOnly: false });
        }
      });
      customers.push(customer);
    }

    const tally: Tally = { invalid: 0, attempts: 0, prompts: 0, pairedWithoutConsent: 0, other: {} };
    const count = (code: string): void => {
      if (code === Errors.CODE_INVALID.code) tally.invalid++;
      else if (code === Errors.CODE_ATTEMPTS.code) tally.attempts++;
      else tally.other[code] = (tally.other[code] ?? 0) + 1;
    };
    const guess = async (n: number): Promise<void> => {
      const address = loopbackAddress(92, n % ATTACKERS);
      // Spread over the whole code space; a guess may hit a live code by chance.
      const code = String((n * 7_919 + 13) % 1_000_000).padStart(6, '0');
      if (n % WS_EVERY === 0) {
        const peer = await helloFrom(relay.wsUrl, 'technician', address);
        peer.sendJson({ type: 'join', code, name: 'Soporte Técnico' });
        const answer = await peer.next(undefined, 10_000);
        if (answer.type === 'waiting-consent') tally.prompts++;
        else if (answer.type === 'paired') tally.pairedWithoutConsent++;
        else if (answer.type === 'error') count(answer.code);
        peer.close();
        return;
      }
      const r = await legacyCallFrom(relay.url, 'connect_technician/', { access_code: code }, address);
      if (r.status === 200) {
        if (r.json.status === 'paired') tally.pairedWithoutConsent++;
        else tally.prompts++;
      } else {
        count(r.json.error.code);
      }
    };

    // The real technician: every so often a customer from a clean address calls, and the
    // technician, from another clean address, joins with the code read out.
    let realJoins = 0;
    let realRefusals = 0;
    let attackRunning = true;
    const realTechnician = (async () => {
      for (let round = 0; attackRunning || round < 3; round++) {
        const customer = await helloFrom(relay.wsUrl, 'client', loopbackAddress(93, round));
        customer.sendJson({ type: 'register', name: `PC-REAL-${round}` });
        const { code } = await customer.next('code');
        const tech = await helloFrom(relay.wsUrl, 'technician', loopbackAddress(94, round));
        tech.sendJson({ type: 'join', code, name: 'Ana (CompuEasys)' });
        const answer = await tech.next(undefined, 10_000);
        if (answer.type === 'waiting-consent') realJoins++;
        else realRefusals++;
        customer.close();
        tech.close();
      }
    })();

    const started = Date.now();
    let next = 0;
    const total = ATTACKERS * GUESSES_EACH;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await guess(next++);
    }));
    attackRunning = false;
    await realTechnician;
    const seconds = (Date.now() - started) / 1000;

    const checked = tally.invalid + tally.prompts + tally.pairedWithoutConsent;
    process.stderr.write(`brute force: ${total} guesses from ${ATTACKERS} addresses in ${seconds.toFixed(1)} s; `
      + `checked ${checked}, refused ${tally.attempts}, consent prompts ${tally.prompts} (customers asked: ${prompts.length}), `
      + `paired without consent ${tally.pairedWithoutConsent}; real technician joined ${realJoins} times, refused ${realRefusals}\n`);

    expect(tally.invalid + tally.attempts + tally.prompts + tally.pairedWithoutConsent).toBe(total);
    expect(tally.other).toEqual({});
    expect(tally.pairedWithoutConsent).toBe(0);
    expect(tally.prompts).toBeLessThanOrEqual(5);
    expect(prompts.length).toBe(tally.prompts);
    // The first 200 wrong codes put the relay on alert; from then on an address gets one guess.
    expect(checked).toBeLessThanOrEqual(200 + ATTACKERS * 2);
    expect(realRefusals).toBe(0);
    expect(realJoins).toBeGreaterThanOrEqual(3);
    for (const c of customers) c.close();
  }, 180_000);
});
