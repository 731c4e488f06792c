import { randomBytes, webcrypto } from 'node:crypto';
import { encodeBase64Url, type SealedMessage } from '../../protocol';
import { E2eHandshake, type HandshakeStep, type SealedChannel } from '../../common/e2e/handshake';
import type { SealableMessage } from '../../common/e2e/record-layer';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { nodeAead } from '../../common/node/node-aead';
import type { E2eCrypto } from '../core/session/sealed-link';
import type { FakeSocket } from './fake-socket';

/** The page's cryptography in a unit test: WebCrypto, as in the browser (Node has it too). */
export const testCrypto = (): E2eCrypto => ({
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  aead: webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto),
});

function expectStep<K extends HandshakeStep['kind']>(step: HandshakeStep, kind: K): Extract<HandshakeStep, { kind: K }> {
  if (step.kind !== kind) throw new Error(`expected the customer's handshake to ${kind}, it ${step.kind === 'failed' ? `failed (${step.reason})` : step.kind}`);
  return step as Extract<HandshakeStep, { kind: K }>;
}

/**
 * A customer's app of version 2, in memory, facing the page through a {@link FakeSocket}
 * (the test plays the relay, passing messages on in the relay's order). It runs the real
 * client handshake and record layer with node:crypto, as the agent does.
 */
export class FakeCustomer {
  private readonly handshake: E2eHandshake;
  private channel: SealedChannel | undefined;

  constructor(private readonly socket: FakeSocket, readonly wholeCode: string) {
    this.handshake = new E2eHandshake({ role: 'client', code: wholeCode, randomBytes: (n) => new Uint8Array(randomBytes(n)), aead: nodeAead });
  }

  /** Starts the agreement (the relay's `e2e-start` to both sides) and answers the page's share. Resolves once the page sent its confirmation. */
  async startAndShare(): Promise<string> {
    const start = { type: 'e2e-start', binding: encodeBase64Url(new Uint8Array(randomBytes(16))) } as const;
    expectStep(await this.handshake.receive(start), 'continue');
    this.socket.receive(start);
    const ya = await this.socket.nextText('e2e-share');
    const yb = expectStep(await this.handshake.receive(ya), 'continue');
    for (const m of yb.send) this.socket.receive(m);
    return (await this.socket.nextText('e2e-confirm')).mac;
  }

  /** The whole agreement: the customer checks the page's confirmation, then confirms itself. */
  async agree(): Promise<void> {
    const mac = await this.startAndShare();
    const verified = expectStep(await this.handshake.receive({ type: 'e2e-confirm', mac }), 'verified');
    this.channel = verified.channel;
    for (const m of verified.send) this.socket.receive(m);
  }

  /** The page's next sealed message, opened (throws when it does not open). */
  async open(): Promise<SealableMessage> {
    const sealed = await this.socket.nextText('sealed');
    const opened = await this.requireChannel().opener.openText(sealed);
    if (!opened.ok) throw new Error(`the page's sealed ${sealed.inner} did not open: ${opened.problem}`);
    return opened.message;
  }

  /** The page's next binary message (a FRAME_ACK), opened. */
  async openAck(): Promise<unknown> {
    const opened = await this.requireChannel().opener.openBinary(await this.socket.nextBinary());
    if (!opened.ok) throw new Error(`the page's acknowledgement did not open: ${opened.problem}`);
    return opened.message;
  }

  /** Seals a message as the customer's app would (the test decides when the relay delivers it). */
  seal(message: SealableMessage): Promise<SealedMessage> {
    return this.requireChannel().sealer.sealText(message);
  }

  sealBinary(plain: Uint8Array): Promise<Uint8Array> {
    return this.requireChannel().sealer.sealBinary(plain);
  }

  /** Seals and delivers at once. */
  async send(message: SealableMessage): Promise<void> {
    this.socket.receive(await this.seal(message));
  }

  private requireChannel(): SealedChannel {
    if (this.channel === undefined) throw new Error('the customer has not verified the page yet');
    return this.channel;
  }
}
