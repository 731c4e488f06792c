import { randomBytes, randomInt } from 'node:crypto';
import {
  encodeFrame, FrameFlag, ImageFormat, SEALED_RECORD_NUMBER_LENGTH, ENVELOPE_LENGTH,
  type BinaryMessage, type ControlMessage, type E2eFailureReason, type InputEvent,
} from '../../protocol';
import { E2eHandshake, type HandshakeStep, type SealedChannel } from '../../common/e2e/handshake';
import type { SealableMessage } from '../../common/e2e/record-layer';
import { nodeAead } from '../../common/node/node-aead';
import { helloSealed } from './sealed-peers';
import type { WsTestPeer } from './ws-peer';

/** What the customer's side received, in order, with sealed messages already opened. */
export type ClientReceived =
  | { readonly kind: 'control'; readonly message: ControlMessage }
  | { readonly kind: 'sealed'; readonly message: SealableMessage }
  | { readonly kind: 'binary'; readonly message: BinaryMessage };

export interface SealedClientOptions {
  /** The computer's name, introduced sealed (the relay gets `""` in `register`). */
  readonly name?: string;
  /** The secret digits this "agent" appends (default: three drawn at random, as the agent does). */
  readonly secretDigits?: string;
  /** What it says in `hello` it takes (`resume`); none by default, as an app from before resume. */
  readonly features?: readonly string[];
}

/** The stand-in's screen updates: one whole-screen JPEG rectangle, FULL|LAST. */
export function fullFrame(seq: number, width: number, height: number, jpeg: Uint8Array, captureTimeMs: number): Uint8Array {
  return encodeFrame({
    flags: FrameFlag.FULL | FrameFlag.LAST, seq, captureTimeMs, displayId: 0, format: ImageFormat.JPEG,
    rectIndex: 0, x: 0, y: 0, width, height, screenWidth: width, screenHeight: height,
  }, jpeg);
}

/**
 * A raw customer's app of protocol version 2 for browser tests: a real WebSocket to the
 * relay, the real key agreement (common/e2e/handshake.ts) and record layer with node:crypto,
 * as the agent runs them. It registers, appends its own secret digits, agrees on keys,
 * introduces itself sealed, answers the consent question, and then sends sealed screen
 * information and frames and opens what the technician's page sends.
 *
 * Each step is a method, so a test can stop after any of them, break one (a tampered
 * frame), or read the raw socket (`peer`) to see what the relay did.
 */
export class SealedClient {
  private channel: SealedChannel | undefined;
  private readonly handshake: E2eHandshake;
  /** What the technician's page said it takes, in its sealed introduction (after `question`). */
  technicianFeatures: readonly string[] = [];

  private constructor(
    readonly peer: WsTestPeer,
    /** The six digits the relay gave (all it knows). */
    readonly routingCode: string,
    /** Every digit the customer reads out: what the technician types. */
    readonly wholeCode: string,
    readonly name: string,
  ) {
    this.handshake = new E2eHandshake({ role: 'client', code: wholeCode, randomBytes: randomBytesOf, aead: nodeAead });
  }

  /** Says hello as version 2, registers without a name and makes up the whole code. */
  static async register(wsUrl: string, options: SealedClientOptions = {}): Promise<SealedClient> {
    const peer = await helloSealed(wsUrl, 'client', options.features);
    peer.sendJson({ type: 'register', name: '' });
    const { code } = await peer.next('code');
    const secret = options.secretDigits ?? String(randomInt(0, 1000)).padStart(3, '0');
    return new SealedClient(peer, code, code + secret, options.name ?? 'PC-RECEPCION');
  }

  /** The whole code as the customer's app shows it: "385 621 947". */
  get spokenCode(): string {
    return `${this.wholeCode.slice(0, 3)} ${this.wholeCode.slice(3, 6)} ${this.wholeCode.slice(6)}`;
  }

  /**
   * The agent's part of the agreement, in the relay's order: `e2e-start`, the technician's
   * share (answered with ours), the technician's confirmation, checked before anything is
   * confirmed. Verified: our confirmation and our sealed introduction go out. Not verified:
   * `e2e-failed` goes out (the relay then gives us a new code) and the reason is returned.
   */
  async agree(timeoutMs = 10_000): Promise<'verified' | E2eFailureReason> {
    this.expectContinue(await this.handshake.receive(await this.peer.next('e2e-start', timeoutMs)));
    this.expectContinue(await this.handshake.receive(await this.peer.next('e2e-share', timeoutMs)));
    const step = await this.handshake.receive(await this.peer.next('e2e-confirm', timeoutMs));
    if (step.kind === 'failed') {
      this.peer.sendJson({ type: 'e2e-failed', reason: step.reason });
      return step.reason;
    }
    if (step.kind !== 'verified') throw new Error('the handshake went on after the confirmation');
    for (const message of step.send) this.peer.sendJson(message);
    this.channel = step.channel;
    await this.send({ type: 'introduce', name: this.name });
    return 'verified';
  }

  /**
   * The consent question and the technician's sealed introduction (the relay asks as it
   * passes our confirmation, then passes the introduction). `relayName` is what the relay
   * put in the question (empty in a sealed session); `introducedName` is the sealed one.
   */
  async question(timeoutMs = 10_000): Promise<{ relayName: string; introducedName: string }> {
    const ask = await this.peer.next('consent-request', timeoutMs);
    const intro = await this.nextOpened(timeoutMs);
    if (intro.kind !== 'sealed' || intro.message.type !== 'introduce') throw new Error(`expected the technician's sealed introduction, got ${JSON.stringify(intro)}`);
    this.technicianFeatures = intro.message.features ?? [];
    return { relayName: ask.technicianName, introducedName: intro.message.name };
  }

  /** The customer's answer; resolves on `paired` when granted. */
  async answer(granted: boolean, viewOnly = false): Promise<void> {
    this.peer.sendJson({ type: 'consent', granted, viewOnly });
    if (granted) await this.peer.until('paired', 10_000);
  }

  /** Agreement, question, yes: a paired sealed session. Returns the name the technician introduced. */
  async pair({ viewOnly = false } = {}): Promise<string> {
    const agreed = await this.agree();
    if (agreed !== 'verified') throw new Error(`the agreement failed: ${agreed}`);
    const { introducedName } = await this.question();
    await this.answer(true, viewOnly);
    return introducedName;
  }

  /** Seals and sends a peer-to-peer message (introduce, screen-info). */
  async send(message: SealableMessage): Promise<void> {
    this.peer.sendJson(await this.requireChannel().sealer.sealText(message));
  }

  /** The screen information of one display of `width`×`height`, sealed. */
  sendScreenInfo(width: number, height: number): Promise<void> {
    return this.send({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width, height, primary: true }], streaming: 0 });
  }

  /** One whole-screen update, sealed (the relay sees only its envelope). */
  async sendFullFrame(seq: number, width: number, height: number, jpeg: Uint8Array, captureTimeMs = Date.now()): Promise<void> {
    this.peer.sendRaw(await this.requireChannel().sealer.sealBinary(fullFrame(seq, width, height, jpeg, captureTimeMs)), true);
  }

  /** Any FRAME, given whole in clear, sealed and sent (a test builds the header it needs). */
  async sendFrameBytes(plain: Uint8Array): Promise<void> {
    this.peer.sendRaw(await this.requireChannel().sealer.sealBinary(plain), true);
  }

  /**
   * The same update with one bit of its sealed body flipped (as a relay altering it would):
   * the envelope stays valid, so the relay forwards it, and the tag no longer verifies.
   */
  async sendTamperedFrame(seq: number, width: number, height: number, jpeg: Uint8Array): Promise<void> {
    const sealed = await this.requireChannel().sealer.sealBinary(fullFrame(seq, width, height, jpeg, Date.now()));
    const inBox = ENVELOPE_LENGTH + SEALED_RECORD_NUMBER_LENGTH + 40; // inside the encrypted image
    sealed[inBox] = sealed[inBox]! ^ 0x04;
    this.peer.sendRaw(sealed, true);
  }

  /**
   * The next thing the relay delivered, sealed ones opened (in arrival order, as the record
   * layer requires). Throws when a sealed message does not open: the page sealed it wrong.
   */
  async nextOpened(timeoutMs = 10_000): Promise<ClientReceived> {
    const item = await this.peer.nextAny(timeoutMs);
    if (item.kind === 'binary') return { kind: 'binary', message: item.message };
    if (item.kind === 'sealed-binary') {
      const opened = await this.requireChannel().opener.openBinary(item.raw);
      if (!opened.ok) throw new Error(`a sealed binary message from the page did not open: ${opened.problem}`);
      return { kind: 'binary', message: opened.message };
    }
    if (item.message.type !== 'sealed') return { kind: 'control', message: item.message };
    const opened = await this.requireChannel().opener.openText(item.message);
    if (!opened.ok) throw new Error(`a sealed ${item.message.inner} from the page did not open: ${opened.problem}`);
    return { kind: 'sealed', message: opened.message };
  }

  /** Skips (and opens) everything until a sealed message of `type` arrives. */
  async untilSealed<T extends SealableMessage['type']>(type: T, timeoutMs = 10_000): Promise<Extract<SealableMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.nextOpened(Math.max(1, deadline - Date.now()));
      if (item.kind === 'sealed' && item.message.type === type) return item.message as Extract<SealableMessage, { type: T }>;
    }
  }

  /** Skips (and opens) everything until the page's acknowledgement of an update arrives. */
  async nextAck(timeoutMs = 10_000): Promise<Extract<BinaryMessage, { kind: 'frame-ack' }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.nextOpened(Math.max(1, deadline - Date.now()));
      if (item.kind === 'binary' && item.message.kind === 'frame-ack') return item.message;
    }
  }

  /** The input events the page sends, opened, until `stop` matches one (inclusive). */
  async inputsUntil(stop: (e: InputEvent) => boolean, timeoutMs = 10_000): Promise<InputEvent[]> {
    const events: InputEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const input = await this.untilSealed('input', Math.max(1, deadline - Date.now()));
      events.push(input.event);
      if (stop(input.event)) return events;
    }
  }

  close(): void {
    this.peer.close();
  }

  private expectContinue(step: HandshakeStep): void {
    if (step.kind !== 'continue') throw new Error(`the customer's handshake ${step.kind === 'failed' ? `failed (${step.reason})` : 'ended early'}`);
    for (const message of step.send) this.peer.sendJson(message);
  }

  private requireChannel(): SealedChannel {
    if (this.channel === undefined) throw new Error('the stand-in customer has not verified the technician yet');
    return this.channel;
  }
}

function randomBytesOf(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}
