import {
  checkEnvelope, decodeBase64Url, decodeBinary, decodeText, encodeBase64Url, encodeControl, ENVELOPE_LENGTH, FrameFlag,
  MAX_SEALED_BOX_BYTES, SEALED_RECORD_NUMBER_LENGTH,
  type BinaryMessage, type ControlMessage, type SealableType, type SealedMessage,
} from '../../protocol';
import { AEAD_NONCE_BYTES, type Aead } from './aead';

/**
 * The record layer of a sealed session (PROTOCOL.md §12.4): one RecordSealer for what a
 * side sends, one RecordOpener for what it receives, each with its direction's key.
 *
 * Text and binary messages are numbered separately, because the relay may drop frames
 * (the newest one wins, §8) but never drops or reorders text. So a receiver accepts a
 * binary record whose number is above the last one (gaps are dropped frames), and a text
 * record only with exactly the next number: a replayed, reordered or missing input or
 * control message is refused. The number is in the nonce, so it is authenticated too, and
 * the channel's byte keeps the two sequences' nonces apart under one key.
 *
 * What the relay needs stays in clear and is authenticated as associated data: the
 * envelope of a binary message (so it can route but cannot alter it unnoticed) and the
 * `inner` type of a sealed text message (so it cannot pass input off as screen-info).
 */

/** The nonce's first byte: which sequence the record number belongs to. */
export const RecordChannel = Object.freeze({ TEXT: 0x00, BINARY: 0x01 } as const);

/** Record numbers stay exact JavaScript integers (2^53 records would take millennia). */
const MAX_RECORD_NUMBER = Number.MAX_SAFE_INTEGER;

/** Messages that travel sealed, in their plain form. */
export type SealableMessage = Extract<ControlMessage, { type: SealableType }>;

/**
 * Why a record was refused: `tampered` (its tag did not verify), `replayed` (a number
 * already seen, or older), `reordered` (a text record came before one that is missing),
 * `malformed` (it opened, but is not a valid message, or the record itself is bad).
 */
export type OpenProblem = 'tampered' | 'replayed' | 'reordered' | 'malformed';

export type Opened<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly problem: OpenProblem };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** 12 bytes: the channel, three zeros, the record number as an unsigned 64-bit big-endian integer. */
export function recordNonce(channel: number, recordNumber: number): Uint8Array {
  const nonce = new Uint8Array(AEAD_NONCE_BYTES);
  const dv = new DataView(nonce.buffer);
  dv.setUint8(0, channel);
  dv.setUint32(4, Math.floor(recordNumber / 2 ** 32));
  dv.setUint32(8, recordNumber >>> 0);
  return nonce;
}

function readRecordNumber(bytes: Uint8Array): number | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + ENVELOPE_LENGTH, SEALED_RECORD_NUMBER_LENGTH);
  const high = dv.getUint32(0);
  if (high > 0x1fffff) return undefined; // above 2^53 - 1
  return high * 2 ** 32 + dv.getUint32(4);
}

/**
 * Resolves promises in the order they were added while their work runs at once: WebCrypto
 * may finish two operations in either order, and a side must send (or handle) records in
 * the order they were numbered.
 */
class InOrder {
  private tail: Promise<unknown> = Promise.resolve();

  add<T>(work: Promise<T>): Promise<T> {
    const next = this.tail.then(() => work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Seals what one side sends. Call in send order; the promises resolve in that order. */
export class RecordSealer {
  private nextText = 0;
  private nextBinary = 0;
  private readonly order = new InOrder();

  constructor(private readonly aead: Aead) {}

  /** `{type:"sealed", inner, n, box}` for a peer-to-peer message. */
  sealText(message: SealableMessage): Promise<SealedMessage> {
    const n = this.take('text');
    const inner = message.type;
    const work = this.aead.seal(recordNonce(RecordChannel.TEXT, n), encoder.encode(inner), encoder.encode(encodeControl(message)))
      .then((box): SealedMessage => {
        if (box.length > MAX_SEALED_BOX_BYTES) throw new Error(`a sealed ${inner} is larger than the protocol allows`);
        return { type: 'sealed', inner, n, box: encodeBase64Url(box) };
      });
    return this.order.add(work);
  }

  /**
   * A FRAME or FRAME_ACK, sealed: the envelope with SEALED set, the record number, the body
   * (everything after the envelope) encrypted, the tag.
   */
  sealBinary(plain: Uint8Array): Promise<Uint8Array> {
    const n = this.take('binary');
    const envelope = plain.slice(0, ENVELOPE_LENGTH);
    envelope[1] = envelope[1]! | FrameFlag.SEALED;
    const prefix = ENVELOPE_LENGTH + SEALED_RECORD_NUMBER_LENGTH;
    // The cipher leaves room in front for the envelope and the record number: one buffer per record.
    const work = this.aead.seal(recordNonce(RecordChannel.BINARY, n), envelope, plain.subarray(ENVELOPE_LENGTH), prefix).then((out) => {
      out.set(envelope, 0);
      const dv = new DataView(out.buffer, out.byteOffset, prefix);
      dv.setUint32(ENVELOPE_LENGTH, Math.floor(n / 2 ** 32));
      dv.setUint32(ENVELOPE_LENGTH + 4, n >>> 0);
      return out;
    });
    return this.order.add(work);
  }

  private take(channel: 'text' | 'binary'): number {
    const n = channel === 'text' ? this.nextText++ : this.nextBinary++;
    if (n > MAX_RECORD_NUMBER) throw new Error('record numbers exhausted'); // never in practice: a session ages out first
    return n;
  }
}

/**
 * Opens what the other side sent. Call in arrival order; results resolve in that order.
 * After the first refusal every later record is refused too: the session is over.
 */
export class RecordOpener {
  private nextText = 0;
  private lastBinary = -1;
  private refused: OpenProblem | undefined;
  private readonly order = new InOrder();

  constructor(private readonly aead: Aead) {}

  /**
   * The number of the next text record wanted: one below it is a copy sent again after a
   * resume, which the session drops before opening (PROTOCOL.md §14).
   */
  get expectedText(): number {
    return this.nextText;
  }

  /** Why this opener stopped opening, if it did. */
  get problem(): OpenProblem | undefined {
    return this.refused;
  }

  openText(sealed: SealedMessage): Promise<Opened<SealableMessage>> {
    if (sealed.n !== this.nextText) return this.finish(refusal(sealed.n < this.nextText ? 'replayed' : 'reordered'));
    this.nextText++;
    const box = decodeBase64Url(sealed.box);
    if (box === undefined) return this.finish(refusal('malformed'));
    return this.finish(this.aead.open(recordNonce(RecordChannel.TEXT, sealed.n), encoder.encode(sealed.inner), box).then((plain) => {
      if (plain === undefined) return refusal('tampered');
      let text: string;
      try {
        text = decoder.decode(plain);
      } catch {
        return refusal('malformed');
      }
      const decoded = decodeText(text);
      if (!decoded.ok || decoded.message.type !== sealed.inner) return refusal('malformed');
      return { ok: true, message: decoded.message as SealableMessage };
    }));
  }

  openBinary(bytes: Uint8Array): Promise<Opened<BinaryMessage>> {
    if (typeof checkEnvelope(bytes, 'sealed') === 'string') return this.finish(refusal('malformed'));
    const n = readRecordNumber(bytes);
    if (n === undefined) return this.finish(refusal('malformed'));
    if (n <= this.lastBinary) return this.finish(refusal('replayed'));
    this.lastBinary = n;
    const envelope = bytes.subarray(0, ENVELOPE_LENGTH);
    const sealedBody = bytes.subarray(ENVELOPE_LENGTH + SEALED_RECORD_NUMBER_LENGTH);
    return this.finish(this.aead.open(recordNonce(RecordChannel.BINARY, n), envelope, sealedBody).then((body) => {
      if (body === undefined) return refusal('tampered');
      const plain = new Uint8Array(ENVELOPE_LENGTH + body.length);
      plain.set(envelope, 0);
      plain[1] = plain[1]! & ~FrameFlag.SEALED;
      plain.set(body, ENVELOPE_LENGTH);
      const decoded = decodeBinary(plain);
      return decoded.ok ? { ok: true, message: decoded.message } : refusal('malformed');
    }));
  }

  /** In arrival order: the first refusal sticks, and nothing after it opens. */
  private finish<T>(work: Opened<T> | Promise<Opened<T>>): Promise<Opened<T>> {
    return this.order.add(Promise.resolve(work)).then((result) => {
      if (this.refused !== undefined) return refusal<T>(this.refused);
      if (!result.ok) this.refused = result.problem;
      return result;
    });
  }
}

function refusal<T>(problem: OpenProblem): Opened<T> {
  return { ok: false, problem };
}
