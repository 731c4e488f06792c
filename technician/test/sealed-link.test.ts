import { randomBytes, webcrypto } from 'node:crypto';
import type { ControlMessage, SealedMessage } from '../../protocol';
import type { Aead, AeadFactory } from '../../common/e2e/aead';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { SealedLink, type E2eCrypto } from '../core/session/sealed-link';
import { FakeCustomer } from './fake-customer';
import { FakeSocket } from './fake-socket';

/**
 * The SealedLink's own promises: what it sends goes out in record order whatever order the
 * cipher finishes in, nothing goes out after a seal failed, and nothing is sealed before
 * the customer's app verified.
 */
const real = webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto);

/** An AES-GCM whose seals finish only when the test releases them, in any order it likes. */
function gatedCrypto(): { crypto: () => E2eCrypto; release: (index: number, fail?: boolean) => void; pending: () => number } {
  const gates: { open: (fail: boolean) => void }[] = [];
  const aead: AeadFactory = async (key) => {
    const inner = await real(key);
    const gated: Aead = {
      seal: (nonce, aad, plaintext, reserve) => new Promise<void>((resolve, reject) => {
        gates.push({ open: (fail) => (fail ? reject(new Error('cipher failed')) : resolve()) });
      }).then(() => inner.seal(nonce, aad, plaintext, reserve)),
      open: (nonce, aad, sealed) => inner.open(nonce, aad, sealed),
    };
    return gated;
  };
  return {
    crypto: () => ({ randomBytes: (n) => new Uint8Array(randomBytes(n)), aead }),
    release: (index, fail = false) => gates[index]!.open(fail),
    pending: () => gates.length,
  };
}

/**
 * A link that verified a real customer. The test is the relay: what the customer sends
 * goes to `link.agree`, and the last of those is awaited, so the link is verified after.
 */
async function verifiedLink(crypto: () => E2eCrypto, onSealFailed: (e: unknown) => void = () => undefined) {
  const socket = new FakeSocket(); // records what the link sends, for the customer to read
  const sent: (ControlMessage | Uint8Array)[] = [];
  const link = new SealedLink({
    code: '385621947', name: 'Ana', crypto, onSealFailed,
    output: {
      send: (m) => { sent.push(m); socket.send(JSON.stringify(m)); return true; },
      sendBinary: (b) => { sent.push(b); socket.send(b); return true; },
    },
  });
  let agreeing: Promise<unknown> = Promise.resolve();
  const relay = { receive: (m: ControlMessage) => { agreeing = link.agree(m as Parameters<SealedLink['agree']>[0]); } };
  const customer = new FakeCustomer(Object.assign(socket, relay), '385621947');
  expect(link.verified).toBe(false);
  await customer.agree();
  expect(await agreeing).toEqual({ kind: 'verified' });
  expect(link.verified).toBe(true);
  return { link, customer, sent };
}

describe('sealed link', () => {
  it('sends in record order even when the cipher finishes the later records first', async () => {
    const gate = gatedCrypto();
    const { link, customer } = await verifiedLink(gate.crypto);
    // The introduction was sealed the moment the customer's confirmation verified: gate 0.
    link.send({ type: 'input', seq: 0, event: { kind: 'text', text: 'uno' } });
    link.send({ type: 'input', seq: 1, event: { kind: 'text', text: 'dos' } });
    expect(gate.pending()).toBe(3);
    gate.release(2);
    gate.release(1);
    gate.release(0);
    expect(await customer.open()).toEqual({ type: 'introduce', name: 'Ana', features: ['cursor', 'displays', 'chat', 'clipboard', 'recording', 'scaled-frames'] });
    expect(await customer.open()).toEqual({ type: 'input', seq: 0, event: { kind: 'text', text: 'uno' } });
    expect(await customer.open()).toEqual({ type: 'input', seq: 1, event: { kind: 'text', text: 'dos' } });
  });

  it('stops sending after a seal failed (the record number would be missing), and says so once', async () => {
    const gate = gatedCrypto();
    const failures: unknown[] = [];
    let reported!: () => void;
    const failed = new Promise<void>((resolve) => { reported = resolve; });
    const { link, sent, customer } = await verifiedLink(gate.crypto, (e) => { failures.push(e); reported(); });
    link.send({ type: 'refresh', reason: 'requested' });
    link.send({ type: 'quality', mode: 'auto' });
    link.sendBinary(Uint8Array.from([2, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    gate.release(0);
    expect(await customer.open()).toEqual({ type: 'introduce', name: 'Ana', features: ['cursor', 'displays', 'chat', 'clipboard', 'recording', 'scaled-frames'] }); // sealed before the failure: it went
    gate.release(3);
    gate.release(2);
    gate.release(1, true); // the refresh fails to seal
    await failed;
    // Let every later record finish sealing: the last one queued is the acknowledgement.
    await link.flushed();
    const after = sent.filter((m) => m instanceof Uint8Array || m.type === 'sealed');
    expect(after.map((m) => (m instanceof Uint8Array ? 'binary' : (m as SealedMessage).n))).toEqual([0]);
    expect(failures).toHaveLength(1);
  });

  it('refuses to seal or open before the customer\'s app verified', () => {
    const link = new SealedLink({
      code: '385621947', name: 'Ana', crypto: gatedCrypto().crypto, onSealFailed: () => undefined,
      output: { send: () => true, sendBinary: () => true },
    });
    expect(() => link.send({ type: 'refresh', reason: 'requested' })).toThrow('before the keys verified');
  });

  it('reports a page without WebCrypto as a failed agreement instead of throwing', async () => {
    const link = new SealedLink({
      code: '385621947', name: 'Ana', crypto: () => { throw new Error('no crypto.subtle'); }, onSealFailed: () => undefined,
      output: { send: () => true, sendBinary: () => true },
    });
    expect(await link.agree({ type: 'e2e-start', binding: 'AAECAwQFBgcICQoLDA0ODw' })).toEqual({ kind: 'failed', reason: 'mismatch' });
  });
});
