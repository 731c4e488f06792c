import { Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { closeAddressAgents, legacyCallFrom, loopbackAddress } from '../support/from-address';
import { startTestRelay } from '../support/relay-harness';

/**
 * Finding 1: `register_client` was a free oracle for live codes. A free code registered
 * and was released again, and only a taken one counted as a wrong attempt, so one address
 * probed ~1,400 codes/s, found live codes of waiting customers, and joined an old client
 * (which is never asked for consent) at once.
 */
describe('attack: sweeping the code space by registering', () => {
  let relay: Relay;
  beforeAll(async () => {
    // The relay's own defaults for guessing: 5 guesses per address per 5-minute window.
    relay = await startTestRelay({ codeAttemptsPerIp: 5, codeAttemptsGlobal: 200 });
  });
  afterAll(async () => {
    closeAddressAgents();
    await relay.close();
  });

  test('an address learns at most 5 codes\' status per window; the customers and their technician are served', async () => {
    // Twenty old clients wait, each from its own address, with codes the attacker does not know.
    const customers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const code = String(100_000 + i * 37_011).slice(0, 6);
      const reg = await legacyCallFrom(relay.url, 'register_client/', { client_id: `PC-${i}`, access_code: code }, loopbackAddress(21, i));
      expect(reg.status).toBe(200);
      customers.push(code);
    }

    const attacker = loopbackAddress(22, 0);
    const answered: number[] = [];
    let refused = 0;
    // Probing every code would cover the customers' codes; 2,000 probes are plenty to show the wall.
    for (let probe = 0; probe < 2000; probe++) {
      const code = String(probe * 499).padStart(6, '0');
      const r = await legacyCallFrom(relay.url, 'register_client/', { client_id: 'SWEEP', access_code: code }, attacker);
      if (r.status === 429) {
        expect(r.json.error.code).toBe(Errors.CODE_ATTEMPTS.code);
        refused++;
      } else {
        answered.push(r.status);
      }
    }
    // Each answer, free (200) or taken (409), told the attacker something: five at most.
    expect(answered.length).toBeLessThanOrEqual(5);
    expect(refused).toBe(2000 - answered.length);
    // Joining is closed to that address too: the sweep cost it its guesses.
    const join = await legacyCallFrom(relay.url, 'connect_technician/', { access_code: customers[0] }, attacker);
    expect(join.status).toBe(429);

    // A customer elsewhere still registers, and the real technician joins with the code read out.
    expect((await legacyCallFrom(relay.url, 'register_client/', { client_id: 'PC-NEW', access_code: '777001' }, loopbackAddress(21, 100))).status).toBe(200);
    const tech = await legacyCallFrom(relay.url, 'connect_technician/', { access_code: customers[3], technician_name: 'Ana' }, loopbackAddress(23, 0));
    expect(tech.status).toBe(200);
    expect(tech.json.status).toBe('paired');
  });
});
