import { decodeBinary, decodeText, encodeControl, type DecodeResult } from '../codec';
import { encodeFrame, encodeFrameAck } from '../frame';
import { CONTROL_SAMPLES, SAMPLE_HEADER, prng } from './samples';

/**
 * Bounded, seeded fuzzing: decode must never throw, whatever arrives. A failure message
 * names the seed and the iteration, so it can be replayed.
 */
const ITERATIONS = 5000;
const SEED = 0x5eed1234;

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

function checkResult(result: DecodeResult<unknown>): void {
  if (typeof result !== 'object' || result === null) throw new Error('decode returned no result');
  if (!result.ok && result.error.code !== 'RS_ERR_PROTO_MALFORMED') throw new Error(`unexpected error ${result.error.code}`);
}

function tryText(text: string, where: string): DecodeResult<unknown> {
  let result: ReturnType<typeof decodeText>;
  try {
    result = decodeText(text);
  } catch (e) {
    throw new Error(`decodeText threw at ${where}: ${String(e)}; input ${JSON.stringify(text.slice(0, 200))}`);
  }
  checkResult(result);
  // Whatever is accepted must survive a second trip unchanged (the decoder is a fixed point).
  // Compared as text, so that a -0 that JSON turns into 0 is not a difference.
  if (result.ok) {
    const again = decodeText(encodeControl(result.message));
    if (!again.ok || encodeControl(again.message) !== encodeControl(result.message)) {
      throw new Error(`accepted message does not round-trip at ${where}: ${encodeControl(result.message).slice(0, 200)}`);
    }
  }
  return result;
}

function tryBinary(bytes: Uint8Array, where: string): DecodeResult<unknown> {
  let result: ReturnType<typeof decodeBinary>;
  try {
    result = decodeBinary(bytes);
  } catch (e) {
    throw new Error(`decodeBinary threw at ${where}: ${String(e)}; input ${Array.from(bytes.subarray(0, 40)).join(',')}`);
  }
  checkResult(result);
  if (result.ok && result.message.kind === 'frame') {
    const h = result.message.header;
    expect(h.width).toBeGreaterThan(0);
    expect(h.height).toBeGreaterThan(0);
    expect(h.x + h.width).toBeLessThanOrEqual(h.screenWidth);
    expect(h.y + h.height).toBeLessThanOrEqual(h.screenHeight);
    expect(Number.isFinite(h.captureTimeMs)).toBe(true);
    expect(result.message.image.byteLength).toBeGreaterThan(0);
  }
  return result;
}

const ODD_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 32, -0, 1e308, '', 'x', '123456', 'a'.repeat(70), [], [1], {}, { a: 1 },
  'left', 'click', 'fixed', 'auto', 'client', 'hello', 65535, 65536, 255, 256, 100, 101,
];

/** Replaces, deletes or adds a member somewhere in a JSON value. */
function mutateValue(r: Rand, value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.2) return [...value, pick(r, ODD_VALUES)];
    const copy = [...value];
    const i = int(r, copy.length);
    copy[i] = mutateValue(r, copy[i], depth + 1);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const roll = r();
    if (keys.length === 0 || roll < 0.15) copy[pick(r, ['type', 'kind', 'x', 'extra', 'event', 'value', 'display'])] = pick(r, ODD_VALUES);
    else if (roll < 0.3) delete copy[pick(r, keys)];
    else {
      const k = pick(r, keys);
      copy[k] = depth < 4 && r() < 0.5 ? mutateValue(r, copy[k], depth + 1) : pick(r, ODD_VALUES);
    }
    return copy;
  }
  return pick(r, ODD_VALUES);
}

function mutateString(r: Rand, text: string): string {
  const chars = [...text];
  const edits = 1 + int(r, 4);
  for (let i = 0; i < edits; i++) {
    const at = int(r, chars.length + 1);
    const roll = r();
    if (roll < 0.33) chars.splice(at, 1);
    else if (roll < 0.66) chars.splice(at, 0, pick(r, ['{', '}', '[', ']', '"', ',', ':', '\\', '0', '-', 'e', 'n', '\u0000', 'ñ', '\ud800']));
    else chars.splice(at, 1, String.fromCharCode(int(r, 0x80)));
  }
  return chars.join('');
}

function randomBytes(r: Rand, max: number): Uint8Array {
  const out = new Uint8Array(int(r, max + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(r, 256);
  return out;
}

describe(`fuzz (seed ${SEED.toString(16)}, ${ITERATIONS} iterations each)`, () => {
  it('decodeText never throws on random text', () => {
    const r = prng(SEED);
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = randomBytes(r, 64);
      tryText(new TextDecoder().decode(bytes), `random text #${i}`);
      tryText(String.fromCharCode(...Array.from(bytes)), `random latin-1 #${i}`);
    }
  });

  it('decodeText never throws on mutated valid messages, and accepts only what re-encodes to itself', () => {
    const r = prng(SEED + 1);
    let accepted = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const sample = pick(r, CONTROL_SAMPLES);
      const structural = JSON.stringify(mutateValue(r, sample));
      if (tryText(structural, `structural mutation #${i}`).ok) accepted++;
      tryText(mutateString(r, encodeControl(sample)), `string mutation #${i}`);
    }
    // The mutations must not all be trivially refused, or the loop would test nothing.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(ITERATIONS);
  });

  it('decodeBinary never throws on random bytes', () => {
    const r = prng(SEED + 2);
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = randomBytes(r, 48);
      // Give the random bytes a known kind most of the time, so the deeper checks run.
      if (bytes.length > 0 && r() < 0.7) bytes[0] = pick(r, [0x01, 0x02]);
      tryBinary(bytes, `random bytes #${i}`);
    }
  });

  it('decodeBinary never throws on mutated valid frames and acks', () => {
    const r = prng(SEED + 3);
    const frame = encodeFrame(SAMPLE_HEADER, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const ack = encodeFrameAck(42, 1700000000123.5);
    let accepted = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const base = r() < 0.75 ? frame : ack;
      let bytes = Uint8Array.from(base);
      const edits = 1 + int(r, 3);
      for (let e = 0; e < edits; e++) {
        const roll = r();
        if (roll < 0.6) bytes[int(r, bytes.length)] = int(r, 256);
        else if (roll < 0.8) bytes[int(r, bytes.length)]! ^= 1 << int(r, 8);
        else if (roll < 0.9) bytes = bytes.subarray(0, int(r, bytes.length + 1));
        else bytes = Uint8Array.from([...bytes, ...randomBytes(r, 8)]);
      }
      if (tryBinary(bytes, `mutation #${i}`).ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
