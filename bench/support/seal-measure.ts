/**
 * The seal benchmark's measurements, shared by Node (node:crypto and Node's WebCrypto) and
 * Chromium (the page's WebCrypto; bench/seal.bench.ts bundles this file into the page). It
 * only uses what both hosts have: the record layer, the protocol codec, performance.now()
 * and crypto.getRandomValues.
 *
 * Every record goes through the real RecordSealer / RecordOpener (common/e2e/record-layer.ts)
 * one at a time, each awaited before the next, as a side seals what it sends and opens what
 * it receives: the time per record is the latency a message sees, and size ÷ time the
 * throughput of one stream of records.
 */
import {
  decodeText, encodeControl, encodeFrame, encodeFrameAck, FrameFlag, ImageFormat,
  type ControlMessage, type SealedMessage,
} from '../../protocol';
import type { AeadFactory } from '../../common/e2e/aead';
import { RecordOpener, RecordSealer, type SealableMessage } from '../../common/e2e/record-layer';

/** One kind of message measured. */
export interface SealCase {
  readonly id: string;
  /** For the rows: what the message is. */
  readonly label: string;
  readonly kind: 'text' | 'binary';
  /** Binary: the whole message in clear (envelope and header included), bytes. */
  readonly bytes?: number;
  /** Records per timed batch: enough for ≈ 10–40 ms, well above the timer's resolution. */
  readonly batch: number;
  /**
   * One record every `pacedMs` instead of back to back, each timed alone (the batch gives the
   * median record): a technician's moves arrive one per display frame, each to a side that
   * was idle meanwhile, with cold caches.
   */
  readonly pacedMs?: number;
}

/**
 * A pointer move, the input message a technician sends most (60 a second while the mouse
 * moves): text record; its JSON is ≈ 80 bytes.
 */
export const INPUT_MESSAGE: SealableMessage = Object.freeze({
  type: 'input', seq: 123_456, event: Object.freeze({ kind: 'pointer-move', x: 1234, y: 567 }),
}) as SealableMessage;

export const SEAL_CASES: readonly SealCase[] = Object.freeze([
  { id: 'input', label: 'input message (pointer-move, text record)', kind: 'text', batch: 2000 },
  { id: 'input-paced', label: 'input message, one every 16.7 ms (60/s, as moves come)', kind: 'text', batch: 20, pacedMs: 1000 / 60 },
  { id: 'ack', label: 'FRAME_ACK (16 B)', kind: 'binary', bytes: 16, batch: 2000 },
  { id: '16k', label: 'FRAME 16 KiB', kind: 'binary', bytes: 16 * 1024, batch: 1000 },
  { id: '128k', label: 'FRAME 128 KiB', kind: 'binary', bytes: 128 * 1024, batch: 200 },
  { id: '1m', label: 'FRAME 1 MiB', kind: 'binary', bytes: 1024 * 1024, batch: 24 },
]);

/** Bytes of the message in clear: its JSON (text) or the whole binary message. */
export function plainBytes(c: SealCase): number {
  return c.kind === 'text' ? new TextEncoder().encode(encodeControl(INPUT_MESSAGE as ControlMessage)).length : c.bytes!;
}

/** crypto.getRandomValues fills at most 65536 bytes per call. */
function randomFill(out: Uint8Array): Uint8Array {
  for (let at = 0; at < out.length; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(out.length, at + 65536)));
  return out;
}

/**
 * The message as the sender has it before sealing: a FRAME as the agent builds it
 * (protocol/frame.ts encodeFrame: 32-byte header, the envelope its first 8 bytes, then the
 * image; random bytes stand for the JPEG, the cipher does not care), or a FRAME_ACK.
 */
export function plainBinary(c: SealCase): Uint8Array {
  if (c.bytes === 16) return encodeFrameAck(4242, Date.now());
  const image = randomFill(new Uint8Array(c.bytes! - 32));
  return encodeFrame({
    flags: FrameFlag.FULL | FrameFlag.LAST, seq: 4242, captureTimeMs: Date.now(), displayId: 0, format: ImageFormat.JPEG,
    rectIndex: 0, x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080,
  }, image);
}

/** Each case's plain binary message, made once per lane and reused by every batch. */
class PlainBinaries {
  private readonly byCase = new Map<string, Uint8Array>();

  of(c: SealCase): Uint8Array {
    let plain = this.byCase.get(c.id);
    if (plain === undefined) {
      plain = plainBinary(c);
      this.byCase.set(c.id, plain);
    }
    return plain;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `one` `c.batch` times: back to back (the mean per record), or paced (the median record, each timed alone). */
export async function timeRecords(c: SealCase, one: (i: number) => unknown): Promise<number> {
  if (c.pacedMs === undefined) {
    const start = performance.now();
    for (let i = 0; i < c.batch; i++) {
      // Awaited only when it is a promise: the plain baseline stays synchronous.
      const r = one(i);
      if (r instanceof Promise) await r;
    }
    return (performance.now() - start) / c.batch;
  }
  const times: number[] = [];
  for (let i = 0; i < c.batch; i++) {
    await sleep(c.pacedMs);
    const start = performance.now();
    const r = one(i);
    if (r instanceof Promise) await r;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** What a batch gives: milliseconds per record, and the size of one record on the wire. */
export interface BatchResult {
  readonly msPerRecord: number;
  readonly wireBytes: number;
}

const KEY_BYTES = 32;

/**
 * One AEAD implementation through the real record layer: a sealer to time sealing, and a
 * second sealer with the opener's key that prepares (untimed) what the opener opens, so
 * record numbers keep rising across batches as the opener demands.
 */
export class SealLane {
  private readonly plain = new PlainBinaries();

  private constructor(
    private readonly sealer: RecordSealer,
    private readonly feeder: RecordSealer,
    private readonly opener: RecordOpener,
  ) {}

  static async create(aead: AeadFactory): Promise<SealLane> {
    const sendKey = randomFill(new Uint8Array(KEY_BYTES));
    const receiveKey = randomFill(new Uint8Array(KEY_BYTES));
    return new SealLane(new RecordSealer(await aead(sendKey)), new RecordSealer(await aead(receiveKey)), new RecordOpener(await aead(receiveKey)));
  }


  /** Seals `c.batch` records one after another: text to the JSON that goes on the wire, binary to its bytes. */
  async seal(c: SealCase): Promise<BatchResult> {
    let wireBytes = 0;
    if (c.kind === 'text') {
      const msPerRecord = await timeRecords(c, () => this.sealer.sealText(INPUT_MESSAGE).then((m) => { wireBytes = encodeControl(m as ControlMessage).length; }));
      return { msPerRecord, wireBytes };
    }
    const plain = this.plain.of(c);
    const msPerRecord = await timeRecords(c, () => this.sealer.sealBinary(plain).then((b) => { wireBytes = b.length; }));
    return { msPerRecord, wireBytes };
  }

  /** Opens `c.batch` records sealed just before (untimed) with the other side's key: text from the JSON that came off the wire. */
  async open(c: SealCase): Promise<BatchResult> {
    if (c.kind === 'text') {
      const wire: string[] = [];
      for (let i = 0; i < c.batch; i++) wire.push(encodeControl(await this.feeder.sealText(INPUT_MESSAGE) as ControlMessage));
      const msPerRecord = await timeRecords(c, (i) => {
        const decoded = decodeText(wire[i]!);
        if (!decoded.ok || decoded.message.type !== 'sealed') throw new Error('a sealed input did not decode');
        return this.opener.openText(decoded.message as SealedMessage).then((opened) => {
          if (!opened.ok) throw new Error(`a sealed input did not open: ${opened.problem}`);
        });
      });
      return { msPerRecord, wireBytes: wire[0]!.length };
    }
    const plain = this.plain.of(c);
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < c.batch; i++) sealed.push(await this.feeder.sealBinary(plain));
    const msPerRecord = await timeRecords(c, (i) => this.opener.openBinary(sealed[i]!).then((opened) => {
      if (!opened.ok) throw new Error(`a sealed ${c.label} did not open: ${opened.problem}`);
    }));
    return { msPerRecord, wireBytes: sealed[0]!.length };
  }
}

/**
 * The baseline without sealing, per record: the sender's encoding of a text message
 * (encodeControl) or one copy of a binary message (what a sender's encodeFrame does with the
 * image anyway); the receiver's decodeText, or again one copy (a plain binary message is
 * parsed in place, with no pass over its bytes at all).
 */
export class PlainLane {
  private readonly plain = new PlainBinaries();
  /** Read after each batch so the work cannot be optimised away. */
  sink = 0;


  async seal(c: SealCase): Promise<BatchResult> {
    let wireBytes = 0;
    if (c.kind === 'text') {
      const msPerRecord = await timeRecords(c, () => { wireBytes = encodeControl(INPUT_MESSAGE as ControlMessage).length; });
      return { msPerRecord, wireBytes };
    }
    const plain = this.plain.of(c);
    const msPerRecord = await timeRecords(c, () => {
      const copy = plain.slice();
      wireBytes = copy.length;
      this.sink ^= copy[copy.length - 1]!;
    });
    return { msPerRecord, wireBytes };
  }

  async open(c: SealCase): Promise<BatchResult> {
    if (c.kind === 'text') {
      const text = encodeControl(INPUT_MESSAGE as ControlMessage);
      const msPerRecord = await timeRecords(c, () => {
        const decoded = decodeText(text);
        if (!decoded.ok) throw new Error('the input did not decode');
      });
      return { msPerRecord, wireBytes: text.length };
    }
    return this.seal(c);
  }
}
