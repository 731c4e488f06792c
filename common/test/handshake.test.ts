import { randomBytes, webcrypto } from 'node:crypto';
import { encodeBase64Url, type E2eConfirmMessage, type E2eShareMessage } from '../../protocol';
import { E2eHandshake, type HandshakeStep } from '../e2e/handshake';
import { webCryptoAead } from '../e2e/webcrypto-aead';
import { nodeAead } from '../node/node-aead';

/**
 * Each side's handshake as the agent and the page run it, with the relay's part played
 * here: the messages go straight from one side to the other.
 */
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const binding = encodeBase64Url(random(16));
const technicianSide = (code: string): E2eHandshake => new E2eHandshake({ role: 'technician', code, randomBytes: random, aead: webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto) });
const clientSide = (code: string): E2eHandshake => new E2eHandshake({ role: 'client', code, randomBytes: random, aead: nodeAead });

function sent(step: HandshakeStep): readonly (E2eShareMessage | E2eConfirmMessage)[] {
  if (step.kind === 'failed') throw new Error(`failed: ${step.reason}`);
  return step.send;
}

describe('E2eHandshake', () => {
  it('verifies both sides and gives each a channel the other can read', async () => {
    const technician = technicianSide('385621947');
    const client = clientSide('385621947');
    const [ya] = sent(await technician.receive({ type: 'e2e-start', binding }));
    expect(sent(await client.receive({ type: 'e2e-start', binding }))).toEqual([]);
    const [yb] = sent(await client.receive(ya as E2eShareMessage));
    const [ta] = sent(await technician.receive(yb as E2eShareMessage));
    const clientDone = await client.receive(ta as E2eConfirmMessage);
    if (clientDone.kind !== 'verified') throw new Error('client did not verify');
    const technicianDone = await technician.receive(clientDone.send[0]!);
    if (technicianDone.kind !== 'verified') throw new Error('technician did not verify');
    expect(technicianDone.send).toEqual([]);
    const sealed = await technicianDone.channel.sealer.sealText({ type: 'introduce', name: 'Ana' });
    expect(await clientDone.channel.opener.openText(sealed)).toEqual({ ok: true, message: { type: 'introduce', name: 'Ana' } });
    const back = await clientDone.channel.sealer.sealText({ type: 'introduce', name: 'PC' });
    expect(await technicianDone.channel.opener.openText(back)).toEqual({ ok: true, message: { type: 'introduce', name: 'PC' } });
  });

  it('tells a technician who typed only the six routing digits to type them all', async () => {
    expect(await technicianSide('385621').receive({ type: 'e2e-start', binding })).toEqual({ kind: 'failed', reason: 'incomplete-code' });
  });

  it('fails, for good, on a wrong code, a bad share, a bad binding or a step out of order', async () => {
    const technician = technicianSide('385621000');
    const client = clientSide('385621947');
    const [ya] = sent(await technician.receive({ type: 'e2e-start', binding }));
    sent(await client.receive({ type: 'e2e-start', binding }));
    const [yb] = sent(await client.receive(ya as E2eShareMessage));
    const [ta] = sent(await technician.receive(yb as E2eShareMessage));
    expect(await client.receive(ta as E2eConfirmMessage)).toEqual({ kind: 'failed', reason: 'mismatch' });
    expect((await client.receive(ta as E2eConfirmMessage)).kind).toBe('failed'); // for good

    expect(await clientSide('385621947').receive({ type: 'e2e-share', share: encodeBase64Url(random(32)) })).toEqual({ kind: 'failed', reason: 'mismatch' });
    const twice = clientSide('385621947');
    sent(await twice.receive({ type: 'e2e-start', binding }));
    expect((await twice.receive({ type: 'e2e-start', binding })).kind).toBe('failed');
    const identity = clientSide('385621947');
    sent(await identity.receive({ type: 'e2e-start', binding }));
    expect(await identity.receive({ type: 'e2e-share', share: encodeBase64Url(new Uint8Array(32)) })).toEqual({ kind: 'failed', reason: 'mismatch' });
    expect(await clientSide('385621947').receive({ type: 'e2e-start', binding: 'not base64url!' })).toEqual({ kind: 'failed', reason: 'mismatch' });
  });
});
