import { randomBytes } from 'node:crypto';
import { ClientAgreement, TechnicianAgreement, type AgreementInput, type SessionKeys } from '../e2e/agreement';

/**
 * The key agreement of a sealed session: the same whole code gives both sides the same
 * keys after both confirmations; anything else (a wrong digit, another binding or
 * version, a bad share, a tag flipped, steps out of order, a middleman who knows only the
 * routing digits) fails the confirmation, on the side that checks it.
 */
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const binding = random(16);

function input(code: string, overrides: Partial<AgreementInput> = {}): AgreementInput {
  return { code, binding, version: 2, randomBytes: random, ...overrides };
}

function unwrap<T>(step: { ok: true; value: T } | { ok: false }): T {
  if (!step.ok) throw new Error('agreement step failed');
  return step.value;
}

interface Outcome {
  readonly technicianKeys?: SessionKeys;
  readonly clientKeys?: SessionKeys;
  /** Which check failed first, if one did. */
  readonly failedAt?: 'client-share' | 'technician-share' | 'client-confirm' | 'technician-confirm';
}

/** Runs the four messages between the two sides, as the relay would pass them. */
function run(technician: TechnicianAgreement, client: ClientAgreement): Outcome {
  const ya = unwrap(technician.share());
  const yb = client.receiveShare(ya);
  if (!yb.ok) return { failedAt: 'client-share' };
  const ta = technician.receiveShare(yb.value);
  if (!ta.ok) return { failedAt: 'technician-share' };
  const confirmed = client.receiveConfirm(ta.value);
  if (!confirmed.ok) return { failedAt: 'client-confirm' };
  const keys = technician.receiveConfirm(confirmed.value.confirm);
  if (!keys.ok) return { failedAt: 'technician-confirm', clientKeys: confirmed.value.keys };
  return { technicianKeys: keys.value, clientKeys: confirmed.value.keys };
}

describe('key agreement', () => {
  it('gives both sides the same two keys, one per direction, for the same whole code', () => {
    const outcome = run(new TechnicianAgreement(input('385621947')), new ClientAgreement(input('385621947')));
    expect(outcome.failedAt).toBeUndefined();
    expect(outcome.technicianKeys).toEqual(outcome.clientKeys);
    const keys = outcome.technicianKeys!;
    expect(keys.technicianToClient).toHaveLength(32);
    expect(Buffer.from(keys.technicianToClient).equals(Buffer.from(keys.clientToTechnician))).toBe(false);
  });

  it('gives fresh keys every run, even for the same code and binding', () => {
    const first = run(new TechnicianAgreement(input('385621947')), new ClientAgreement(input('385621947')));
    const second = run(new TechnicianAgreement(input('385621947')), new ClientAgreement(input('385621947')));
    expect(Buffer.from(first.clientKeys!.technicianToClient).equals(Buffer.from(second.clientKeys!.technicianToClient))).toBe(false);
  });

  it.each([
    ['one secret digit differs', input('385621948'), input('385621947')],
    ['one routing digit differs', input('385621947'), input('395621947')],
    ['the technician typed only the routing digits', input('385621'), input('385621947')],
    ['the bindings differ (the relay told each side another)', input('385621947', { binding: random(16) }), input('385621947')],
    ['the versions differ', input('385621947', { version: 3 }), input('385621947')],
  ])('is refused by the client, before it confirms anything, when %s', (_what, technicianInput, clientInput) => {
    const outcome = run(new TechnicianAgreement(technicianInput), new ClientAgreement(clientInput));
    expect(outcome.failedAt).toBe('client-confirm');
    expect(outcome.clientKeys).toBeUndefined();
  });

  it('cannot be bridged by a middleman who knows the six routing digits and guesses the rest', () => {
    // The relay runs its own agreement with each side, with a guess of the secret digits.
    const technician = new TechnicianAgreement(input('385621947'));
    const client = new ClientAgreement(input('385621947'));
    const fakeClient = new ClientAgreement(input('385621000'));
    const fakeTechnician = new TechnicianAgreement(input('385621000'));
    // Toward the technician it plays the client …
    const ta = unwrap(technician.receiveShare(unwrap(fakeClient.receiveShare(unwrap(technician.share())))));
    expect(fakeClient.receiveConfirm(ta).ok).toBe(false); // its guess is wrong, so it cannot answer with Tb
    // … toward the client it plays the technician.
    const ybReal = unwrap(client.receiveShare(unwrap(fakeTechnician.share())));
    const taFake = unwrap(fakeTechnician.receiveShare(ybReal));
    expect(client.receiveConfirm(taFake).ok).toBe(false);
    // Passing the real technician's tag on does not help either: it belongs to another run.
    expect(new ClientAgreement(input('385621947')).receiveConfirm(ta).ok).toBe(false);
  });

  it('refuses shares that are not valid group elements, and the identity', () => {
    for (const bad of [new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(31), new Uint8Array(33)]) {
      const client = new ClientAgreement(input('385621947'));
      expect(client.receiveShare(bad).ok).toBe(false);
      const technician = new TechnicianAgreement(input('385621947'));
      technician.share();
      expect(technician.receiveShare(bad).ok).toBe(false);
    }
  });

  it('refuses a confirmation tag with any bit flipped, and a tag reflected back', () => {
    for (let bit = 0; bit < 256; bit += 7) {
      const technician = new TechnicianAgreement(input('385621947'));
      const client = new ClientAgreement(input('385621947'));
      const ta = unwrap(technician.receiveShare(unwrap(client.receiveShare(unwrap(technician.share())))));
      const flipped = ta.slice();
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
      expect(client.receiveConfirm(flipped).ok).toBe(false);
    }
    const technician = new TechnicianAgreement(input('385621947'));
    const client = new ClientAgreement(input('385621947'));
    const ta = unwrap(technician.receiveShare(unwrap(client.receiveShare(unwrap(technician.share())))));
    expect(technician.receiveConfirm(ta).ok).toBe(false); // its own tag is not the client's
  });

  it('fails for good on a step out of order or repeated', () => {
    const technician = new TechnicianAgreement(input('385621947'));
    expect(technician.receiveShare(random(32)).ok).toBe(false); // before sharing
    expect(technician.share().ok).toBe(false); // broken now
    const client = new ClientAgreement(input('385621947'));
    expect(client.receiveConfirm(random(32)).ok).toBe(false); // before the share
    const other = new TechnicianAgreement(input('385621947'));
    const fresh = new ClientAgreement(input('385621947'));
    const ya = unwrap(other.share());
    expect(fresh.receiveShare(ya).ok).toBe(true);
    expect(fresh.receiveShare(ya).ok).toBe(false); // a second share
  });
});
