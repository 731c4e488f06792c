import { randomBytes, webcrypto } from 'node:crypto';
import {
  encodeFrame, encodeFrameAck, FrameFlag, ImageFormat, SEALED_FRAME_ACK_LENGTH, SEALED_OVERHEAD,
  type FrameHeader, type SealedMessage,
} from '../../protocol';
import type { Aead, AeadFactory } from '../e2e/aead';
import { RecordOpener, RecordSealer, type SealableMessage } from '../e2e/record-layer';
import { webCryptoAead } from '../e2e/webcrypto-aead';
import { nodeAead } from '../node/node-aead';

/**
 * The record layer with both AES-256-GCM implementations (node:crypto for the agent,
 * WebCrypto for the page), and across them: round trips, a flipped bit anywhere refused,
 * replayed and reordered text refused, gaps in frames accepted.
 */
const IMPLEMENTATIONS: ReadonlyArray<readonly [string, AeadFactory]> = [
  ['node:crypto', nodeAead],
  ['WebCrypto', webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto)],
];

const PHRASE = 'Útil: año, cigüeña, ¿qué? ¡ya! 5 € ß';
const JPEG_START = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

function frame(seq: number, image: Uint8Array = JPEG_START, flags = FrameFlag.FULL | FrameFlag.LAST): Uint8Array {
  const header: FrameHeader = {
    flags, seq, captureTimeMs: 1_700_000_000_123.5, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 64, height: 32, screenWidth: 1280, screenHeight: 720,
  };
  return encodeFrame(header, image);
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) !== -1;
}

async function pair(makeSender: AeadFactory, makeReceiver: AeadFactory = makeSender): Promise<{ sealer: RecordSealer; opener: () => Promise<RecordOpener> }> {
  const key = new Uint8Array(randomBytes(32));
  const sealer = new RecordSealer(await makeSender(key));
  return { sealer, opener: async () => new RecordOpener(await makeReceiver(key)) };
}

const typed: SealableMessage = { type: 'input', seq: 0, event: { kind: 'text', text: PHRASE } };

describe.each(IMPLEMENTATIONS)('record layer with %s', (_name, makeAead) => {
  it('round-trips every sealable text message, and the sealed text shows none of it', async () => {
    const { sealer, opener } = await pair(makeAead);
    const receiver = await opener();
    const messages: SealableMessage[] = [
      { type: 'introduce', name: 'Ana (CompuEasys)' },
      typed,
      { type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true }], streaming: 0 },
      { type: 'refresh', reason: 'requested' },
      { type: 'quality', mode: 'fixed', value: 55 },
    ];
    for (const message of messages) {
      const sealed = await sealer.sealText(message);
      expect(sealed.inner).toBe(message.type);
      // The fields in clear hold none of it, and neither do the box's bytes. (Not the box's
      // base64 text: random text contains "Ana" in about one run of a few hundred.)
      const { box, ...clear } = sealed;
      const inClear = JSON.stringify(clear);
      const boxBytes = Buffer.from(box, 'base64url');
      for (const secret of ['Ana', 'cigüeña', '1920']) {
        expect(inClear).not.toContain(secret);
        expect(contains(boxBytes, Buffer.from(secret, 'utf8'))).toBe(false);
      }
      await expect(receiver.openText(sealed)).resolves.toEqual({ ok: true, message });
    }
  });

  it('round-trips frames and acknowledgements with SEALED set, the envelope in clear and the image not', async () => {
    const { sealer, opener } = await pair(makeAead);
    const receiver = await opener();
    const plain = frame(42);
    const sealed = await sealer.sealBinary(plain);
    expect(sealed.length).toBe(plain.length + SEALED_OVERHEAD);
    expect(sealed[1]).toBe(FrameFlag.FULL | FrameFlag.LAST | FrameFlag.SEALED);
    expect(Buffer.from(sealed.subarray(2, 8)).equals(Buffer.from(plain.subarray(2, 8)))).toBe(true);
    expect(contains(sealed, JPEG_START.subarray(0, 4))).toBe(false);
    const opened = await receiver.openBinary(sealed);
    expect(opened.ok && opened.message.kind === 'frame' && Buffer.from(opened.message.image).equals(Buffer.from(JPEG_START))).toBe(true);
    expect(opened.ok && opened.message.kind === 'frame' && opened.message.header.flags).toBe(FrameFlag.FULL | FrameFlag.LAST);
    const ack = await sealer.sealBinary(encodeFrameAck(42, 1_700_000_000_123.5));
    expect(ack.length).toBe(SEALED_FRAME_ACK_LENGTH);
    await expect(receiver.openBinary(ack)).resolves.toEqual({ ok: true, message: { kind: 'frame-ack', seq: 42, captureTimeMs: 1_700_000_000_123.5 } });
  });

  it('refuses a frame with any single bit flipped: envelope, record number, header, image or tag', async () => {
    const { sealer, opener } = await pair(makeAead);
    const sealed = await sealer.sealBinary(frame(7, Uint8Array.from([0xff, 0xd8, 0x01])));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const altered = sealed.slice();
      altered[bit >> 3] = altered[bit >> 3]! ^ (1 << (bit & 7));
      const result = await (await opener()).openBinary(altered);
      if (result.ok) throw new Error(`bit ${bit} flipped and the frame still opened`);
    }
    expect((await (await opener()).openBinary(sealed)).ok).toBe(true);
  });

  it('refuses a text record with any bit of its box flipped, another inner type or another number', async () => {
    const { sealer, opener } = await pair(makeAead);
    const sealed = await sealer.sealText({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 1, y: 2 } });
    const box = Buffer.from(sealed.box, 'base64url');
    for (let bit = 0; bit < box.length * 8; bit++) {
      const altered = Buffer.from(box);
      altered[bit >> 3] = altered[bit >> 3]! ^ (1 << (bit & 7));
      const result = await (await opener()).openText({ ...sealed, box: altered.toString('base64url') });
      if (result.ok) throw new Error(`bit ${bit} flipped and the input still opened`);
    }
    await expect((await opener()).openText({ ...sealed, inner: 'screen-info' })).resolves.toEqual({ ok: false, problem: 'tampered' });
    await expect((await opener()).openText({ ...sealed, n: 1 })).resolves.toEqual({ ok: false, problem: 'reordered' });
  });

  it('refuses replayed and reordered input, and everything after the first refusal', async () => {
    const { sealer, opener } = await pair(makeAead);
    const records: SealedMessage[] = [];
    for (let i = 0; i < 4; i++) records.push(await sealer.sealText({ type: 'input', seq: i, event: { kind: 'pointer-move', x: i, y: i } }));
    const replay = await opener();
    expect((await replay.openText(records[0]!)).ok).toBe(true);
    expect((await replay.openText(records[1]!)).ok).toBe(true);
    await expect(replay.openText(records[1]!)).resolves.toEqual({ ok: false, problem: 'replayed' });
    await expect(replay.openText(records[2]!)).resolves.toEqual({ ok: false, problem: 'replayed' });
    const reorder = await opener();
    expect((await reorder.openText(records[0]!)).ok).toBe(true);
    await expect(reorder.openText(records[2]!)).resolves.toEqual({ ok: false, problem: 'reordered' });
    await expect(reorder.openText(records[1]!)).resolves.toEqual({ ok: false, problem: 'reordered' });
    expect(reorder.problem).toBe('reordered');
  });

  it('accepts gaps in frames (the relay drops frames) but not a frame again or an older one', async () => {
    const { sealer, opener } = await pair(makeAead);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) frames.push(await sealer.sealBinary(frame(i)));
    const receiver = await opener();
    for (const i of [0, 3, 7]) expect((await receiver.openBinary(frames[i]!)).ok).toBe(true);
    await expect(receiver.openBinary(frames[5]!)).resolves.toEqual({ ok: false, problem: 'replayed' });
    const again = await opener();
    expect((await again.openBinary(frames[2]!)).ok).toBe(true);
    await expect(again.openBinary(frames[2]!)).resolves.toEqual({ ok: false, problem: 'replayed' });
  });

  it('opens nothing sealed with another key (the other direction\'s, or another session\'s)', async () => {
    const { sealer } = await pair(makeAead);
    const { opener: otherOpener } = await pair(makeAead);
    await expect((await otherOpener()).openText(await sealer.sealText(typed))).resolves.toEqual({ ok: false, problem: 'tampered' });
    await expect((await otherOpener()).openBinary(await sealer.sealBinary(frame(1)))).resolves.toEqual({ ok: false, problem: 'tampered' });
  });

  it('refuses an unsealed or malformed binary record before trying to open it', async () => {
    const { opener } = await pair(makeAead);
    await expect((await opener()).openBinary(frame(1))).resolves.toEqual({ ok: false, problem: 'malformed' });
    await expect((await opener()).openBinary(new Uint8Array(10))).resolves.toEqual({ ok: false, problem: 'malformed' });
  });
});

describe('record layer across implementations', () => {
  it('the agent (node:crypto) and the page (WebCrypto) read each other', async () => {
    const [[, node], [, web]] = IMPLEMENTATIONS as [readonly [string, AeadFactory], readonly [string, AeadFactory]];
    for (const [from, to] of [[node, web], [web, node]] as const) {
      const { sealer, opener } = await pair(from, to);
      const receiver = await opener();
      await expect(receiver.openText(await sealer.sealText(typed))).resolves.toEqual({ ok: true, message: typed });
      expect((await receiver.openBinary(await sealer.sealBinary(frame(3)))).ok).toBe(true);
    }
  });

  it('hands results out in the order records were given, whichever finishes first', async () => {
    const key = new Uint8Array(randomBytes(32));
    const real = await nodeAead(key);
    // An AEAD whose every other answer is late: without ordering, records would come out swapped.
    let calls = 0;
    const late: Aead = {
      seal: async (nonce, aad, plain, reserve) => {
        const result = await real.seal(nonce, aad, plain, reserve);
        if (calls++ % 2 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        return result;
      },
      open: async (nonce, aad, sealed) => {
        const result = await real.open(nonce, aad, sealed);
        if (calls++ % 2 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        return result;
      },
    };
    const sealer = new RecordSealer(late);
    const order: number[] = [];
    const sealed = await Promise.all([0, 1, 2, 3].map((i) => sealer.sealText({ type: 'input', seq: i, event: { kind: 'pointer-move', x: i, y: 0 } }).then((s) => {
      order.push(s.n);
      return s;
    })));
    expect(order).toEqual([0, 1, 2, 3]);
    const opener = new RecordOpener(late);
    const opened: number[] = [];
    await Promise.all(sealed.map((s) => opener.openText(s).then((r) => {
      if (r.ok && r.message.type === 'input') opened.push(r.message.seq);
    })));
    expect(opened).toEqual([0, 1, 2, 3]);
  });
});
