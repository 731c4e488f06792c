import { PeerFeature, type BinaryMessage, type ControlMessage, type E2eFailureReason, type SealedMessage } from '../../../protocol';
import type { AeadFactory } from '../../../common/e2e/aead';
import { E2eHandshake, type HandshakeMessage, type SealedChannel } from '../../../common/e2e/handshake';
import type { Opened, SealableMessage } from '../../../common/e2e/record-layer';
import { webCryptoAead } from '../../../common/e2e/webcrypto-aead';

/** What the key agreement and the record layer need from the host. */
export interface E2eCrypto {
  /** Cryptographically random bytes (CPace's secret scalar). */
  randomBytes(length: number): Uint8Array;
  /** AES-256-GCM. */
  readonly aead: AeadFactory;
}

/**
 * The browser's WebCrypto (also present in Node 20, for tests). Looked up when a sealed
 * session starts, not when the page loads: `crypto.subtle` exists only in a secure context
 * (https, or the machine itself), and a page without it can still help older customers.
 */
export function webCrypto(): E2eCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) throw new Error('WebCrypto is not available (the page is not in a secure context)');
  return { randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), aead: webCryptoAead(crypto.subtle) };
}

/** Where sealed and agreement messages go: the relay socket. */
export interface LinkOutput {
  send(message: ControlMessage): boolean;
  sendBinary(bytes: Uint8Array): boolean;
}

/** What one agreement message led to. */
export type AgreementOutcome =
  | { readonly kind: 'continue' }
  /** The customer's app proved it knows every digit; our introduction is on its way. */
  | { readonly kind: 'verified' }
  | { readonly kind: 'failed'; readonly reason: E2eFailureReason };

export interface SealedLinkOptions {
  /** Every digit the technician typed (the secret ones never leave this side). */
  readonly code: string;
  /** The technician's name: sent sealed, it is what the customer is asked about. */
  readonly name: string;
  readonly crypto: () => E2eCrypto;
  /** What this page takes besides what every page of this version does (`files`, when it was given a file host). */
  readonly extraFeatures?: readonly string[];
  readonly output: LinkOutput;
  /** Sealing failed: a record number is now missing, so nothing sent later would open. */
  readonly onSealFailed: (error: unknown) => void;
}

/**
 * The technician's end of a sealed session (PROTOCOL.md §12): runs the key agreement
 * (common/e2e/handshake.ts does the cryptography), then seals what the page sends and
 * opens what the customer's app sent. It decides nothing about the session: the
 * E2eGuard (e2e-guard.ts) judges what this reports, and the TechnicianSession acts on it.
 *
 * Sealing is asynchronous (WebCrypto) and the record numbers are taken in call order, so
 * sends are chained: each sealed message goes to the socket after the one sealed before
 * it, whatever order the cipher finishes in, and the customer's app sees the numbers in
 * order (it refuses any gap).
 */
export class SealedLink {
  private readonly handshake: E2eHandshake;
  private channel: SealedChannel | undefined;
  private outgoing: Promise<void> = Promise.resolve();
  private broken = false;

  constructor(private readonly options: SealedLinkOptions) {
    let crypto: E2eCrypto | undefined;
    // The handshake asks for randomness and the cipher only as it needs them, so a page
    // without WebCrypto fails the agreement (a clear refusal) instead of throwing here.
    const host = (): E2eCrypto => (crypto ??= options.crypto());
    this.handshake = new E2eHandshake({
      role: 'technician',
      code: options.code,
      randomBytes: (n) => host().randomBytes(n),
      aead: (key) => host().aead(key),
    });
  }

  /** True once the customer's app verified: only then is anything sealed or opened. */
  get verified(): boolean {
    return this.channel !== undefined;
  }

  /** Feeds one agreement message from the relay; sends what the step says to send. */
  async agree(message: HandshakeMessage): Promise<AgreementOutcome> {
    let step;
    try {
      step = await this.handshake.receive(message);
    } catch {
      // No WebCrypto, or a cipher that failed to start: this side cannot seal, so it must
      // not go on. The customer's app is told the keys did not verify.
      return { kind: 'failed', reason: 'mismatch' };
    }
    if (step.kind === 'failed') return step;
    for (const reply of step.send) this.options.output.send(reply);
    if (step.kind === 'continue') return { kind: 'continue' };
    this.channel = step.channel;
    // Our name goes first and sealed, so the relay cannot change who the customer is asked about.
    // With it, what this page can take: the customer's cursor, a choice of monitors, a chat,
    // the clipboard, a recording notice to show, and rectangles sent at a lower resolution
    // while the whole screen moves (an older page says none of these, and is sent none).
    this.send({
      type: 'introduce', name: this.options.name,
      features: [
        PeerFeature.CURSOR, PeerFeature.DISPLAYS, PeerFeature.CHAT, PeerFeature.CLIPBOARD, PeerFeature.RECORDING, PeerFeature.SCALED_FRAMES,
        ...(this.options.extraFeatures ?? []),
      ],
    });
    return { kind: 'verified' };
  }

  /** Seals and sends a peer-to-peer message (input, quality, refresh, introduce). */
  send(message: SealableMessage): void {
    const sealed = this.requireChannel().sealer.sealText(message);
    this.enqueue(sealed, (m) => this.options.output.send(m));
  }

  /** Seals and sends a FRAME_ACK (given in clear, as encodeFrameAck makes it). */
  sendBinary(plain: Uint8Array): void {
    const sealed = this.requireChannel().sealer.sealBinary(plain);
    this.enqueue(sealed, (bytes) => this.options.output.sendBinary(bytes));
  }

  /** The number of the next sealed text record wanted from the customer (a lower one is a copy sent again after a resume). */
  get expectedText(): number {
    return this.requireChannel().opener.expectedText;
  }

  /** Resolves once everything sent so far went to the socket (or was held back after a failed seal). */
  flushed(): Promise<void> {
    return this.outgoing;
  }

  /** Opens a `sealed` message. Call in arrival order (the record layer checks the numbers). */
  open(message: SealedMessage): Promise<Opened<SealableMessage>> {
    return this.requireChannel().opener.openText(message);
  }

  /** Opens a binary message with the SEALED flag. Call in arrival order. */
  openBinary(bytes: Uint8Array): Promise<Opened<BinaryMessage>> {
    return this.requireChannel().opener.openBinary(bytes);
  }

  private enqueue<T>(sealed: Promise<T>, deliver: (value: T) => void): void {
    this.outgoing = this.outgoing
      .then(() => sealed)
      .then((value) => {
        // After a failed seal a record number is missing: the other side would refuse
        // everything after the gap, so nothing more goes out.
        if (!this.broken) deliver(value);
      }, (error: unknown) => {
        if (this.broken) return;
        this.broken = true;
        this.options.onSealFailed(error);
      });
  }

  private requireChannel(): SealedChannel {
    // The session seals and opens only after `verified`: reaching this otherwise is a bug.
    if (this.channel === undefined) throw new Error('sealed link used before the keys verified');
    return this.channel;
  }
}
