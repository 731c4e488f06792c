import {
  FILE_TRANSFER_TYPES,
  type ChatMessage, type ClipboardMessage, type FileChunkMessage, type CursorPosMessage, type CursorShapeMessage, type FileTransferMessage, type FrameMessage,
  type ScreenInfoMessage, type SealedMessage,
} from '../../../protocol';
import type { HandshakeMessage } from '../../../common/e2e/handshake';
import type { SealableMessage } from '../../../common/e2e/record-layer';
import { mustSeal } from './access-code';
import { SealedLink, type E2eCrypto, type LinkOutput } from './sealed-link';
import type { VerificationFailure } from './session-state';

/** What a check concluded: go on with `value`, or end the session for `failure`. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: VerificationFailure };

export interface E2eGuardOptions {
  /** Every digit the technician typed. */
  readonly code: string;
  /** The technician's name, introduced sealed. */
  readonly name: string;
  readonly crypto: () => E2eCrypto;
  /** What this page takes besides what every page of this version does. */
  readonly extraFeatures?: readonly string[];
  /** The socket of the moment. */
  readonly output: LinkOutput;
  /** Sealing failed (a local fault): the session cannot go on. */
  readonly onSealFailed: (error: unknown) => void;
}

/** What the customer's side tells the page, opened: its displays, its pointer's shapes and position, chat. */
export type PeerNews = ScreenInfoMessage | CursorShapeMessage | CursorPosMessage | ChatMessage | ClipboardMessage | FileTransferMessage;

function isPeerNews(inner: SealableMessage): inner is PeerNews {
  return inner.type === 'screen-info' || inner.type === 'cursor-shape' || inner.type === 'cursor-pos' || inner.type === 'chat'
    || inner.type === 'clipboard' || (FILE_TRANSFER_TYPES as readonly string[]).includes(inner.type);
}

const go = <T>(value: T): Checked<T> => ({ ok: true, value });
const stop = <T>(failure: VerificationFailure): Checked<T> => ({ ok: false, failure });

/**
 * The page's own end-to-end checks on what the relay passes (PROTOCOL.md §12), so the
 * session only has to act on a verdict. It decides, from this page's point of view only
 * (never from the relay's word), whether the session is sealed, whether it may go on, and
 * what a peer message means; sealing and opening are the {@link SealedLink}'s.
 *
 * The rules: a code with secret digits never runs in clear (§12.7); a sealed session goes
 * on only once both sides verified; in a sealed session every peer message must be sealed
 * and must open, and one in clear could only have been made by the relay.
 */
export class E2eGuard {
  private link: SealedLink | undefined;
  private introducedName: string | undefined;
  private introducedFeatures: readonly string[] = [];

  constructor(private readonly options: E2eGuardOptions) {}

  /** True from `e2e-start` on: this session seals, and nothing in clear is accepted. */
  get sealed(): boolean {
    return this.link !== undefined;
  }

  /**
   * The relay says the customer is being asked, or that the session is live. Without an
   * agreement the customer's app cannot seal: fine for a six-digit code, a lie for a longer
   * one (only an app that seals shows more). With one, a relay that skips to this point
   * before both sides verified has not shown that the code is shared.
   */
  mayGoOn(): Checked<void> {
    if (this.link === undefined) return mustSeal(this.options.code) ? stop('unsealed') : go(undefined);
    return this.link.verified ? go(undefined) : stop('mismatch');
  }

  /** The customer's computer: its sealed introduction when sealed (the relay's copy is empty, and the relay's to change). */
  peerName(relaysName: string): string {
    return this.link === undefined ? relaysName : this.introducedName ?? '';
  }

  /** True when the customer's app said, in its sealed introduction, that it can take this (PeerFeature). */
  customerCan(feature: string): boolean {
    return this.link !== undefined && this.introducedFeatures.includes(feature);
  }

  /**
   * One message of the key agreement. `mayStart`: the relay has not answered the join
   * yet, the only time an agreement may start.
   */
  async agree(message: HandshakeMessage, mayStart: boolean): Promise<Checked<void>> {
    if (message.type === 'e2e-start') {
      if (!mayStart || this.link !== undefined) return stop('mismatch'); // a second start, or one after a plain answer
      this.link = new SealedLink(this.options);
    }
    if (this.link === undefined) return stop('mismatch'); // a share or confirmation without a start
    const outcome = await this.link.agree(message);
    return outcome.kind === 'failed' ? stop(outcome.reason) : go(undefined);
  }

  /**
   * A `sealed` message: the customer's screen information or pointer once opened
   * (undefined for anything else worth nothing here). In a session in clear nobody could
   * have sealed it: ignored.
   */
  async openText(message: SealedMessage): Promise<Checked<PeerNews | undefined>> {
    if (this.link === undefined) return go(undefined);
    if (!this.link.verified) return stop('tampered');
    const opened = await this.link.open(message);
    if (!opened.ok) return stop('tampered');
    const inner = opened.message;
    // The relay lets one introduction per side through, before pairing.
    if (inner.type === 'introduce' && this.introducedName === undefined) {
      this.introducedName = inner.name;
      this.introducedFeatures = inner.features ?? [];
    }
    // input, refresh, quality and select-display are the technician's to send: ignored.
    return go(isPeerNews(inner) ? inner : undefined);
  }

  /** The next sealed text record number wanted, once the keys verified (PROTOCOL.md §14: lower ones are copies). */
  get expectedText(): number | undefined {
    return this.link?.verified === true ? this.link.expectedText : undefined;
  }

  /** A binary message with SEALED: the frame or file chunk inside (undefined for an acknowledgement). */
  async openBinary(bytes: Uint8Array): Promise<Checked<FrameMessage | FileChunkMessage | undefined>> {
    if (this.link === undefined) return go(undefined); // dropped, as any frame that makes no sense
    if (!this.link.verified) return stop('tampered');
    const opened = await this.link.openBinary(bytes);
    if (!opened.ok) return stop('tampered');
    return go(opened.message.kind === 'frame' || opened.message.kind === 'file-chunk' ? opened.message : undefined);
  }

  /** A peer message in clear (screen-info, a frame, a bad binary): in a sealed session only the relay could have made it. */
  plainPeerMessage(): Checked<void> {
    return this.link === undefined ? go(undefined) : stop('tampered');
  }

  /** Sends a peer-to-peer message: sealed in a sealed session, else in clear. */
  send(message: SealableMessage): boolean {
    if (this.link === undefined) return this.options.output.send(message);
    this.link.send(message);
    return true;
  }

  /** Sends a FRAME_ACK (given in clear): sealed in a sealed session, else as it is. */
  sendBinary(plain: Uint8Array): boolean {
    if (this.link === undefined) return this.options.output.sendBinary(plain);
    this.link.sendBinary(plain);
    return true;
  }
}
