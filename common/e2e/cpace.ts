import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * CPace over ristretto255 with SHA-512 (draft-irtf-cfrg-cpace, the cipher suite
 * "CPACE-RISTR255_SHA512"), initiator/responder mode. A balanced PAKE: both sides hold
 * the same low-entropy secret (PRS: here, the whole access code) and end with the same
 * intermediate session key (ISK) exactly when their secrets, channel identifiers and
 * session ids match. Someone in the middle gets one guess of the secret per run, and
 * nothing to test further guesses against offline.
 *
 * Names follow the draft so the code can be read beside it; the draft's published test
 * vectors pass in common/test/cpace.test.ts. This is the group arithmetic only; the key
 * schedule and confirmation built on it are in agreement.ts.
 */

const Point = ristretto255.Point;
type RistrettoPoint = InstanceType<typeof Point>;

/** Domain-separation identifier of the ristretto255 suite. */
export const DSI = utf8ToBytes('CPaceRistretto255');
const DSI_ISK = utf8ToBytes('CPaceRistretto255_ISK');
/** SHA-512's input block size: the generator string pads DSI and PRS to one block. */
const S_IN_BYTES = 128;
/** The encoding of the neutral element: receiving it (or a non-point) aborts. */
const IDENTITY = new Uint8Array(32);

/** LEB128 length followed by the data (draft §"prepend_len"). */
export function prependLen(data: Uint8Array): Uint8Array {
  const length: number[] = [];
  let n = data.length;
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return concatBytes(Uint8Array.from(length), data);
}

/** Each argument with its length in front, concatenated (draft §"lv_cat"). */
export function lvCat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts.map(prependLen));
}

/** The string hashed into the generator: DSI, PRS, zero padding to one hash block, CI, sid. */
export function generatorString(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zpad = Math.max(0, S_IN_BYTES - 1 - prependLen(prs).length - prependLen(DSI).length);
  return lvCat(DSI, prs, new Uint8Array(zpad), ci, sid);
}

/** RFC 9496's element derivation (64 uniform bytes → element); optional in noble's hasher type, present for ristretto255. */
const deriveElement: (uniformBytes: Uint8Array) => RistrettoPoint = ristretto255_hasher.deriveToCurve?.bind(ristretto255_hasher)
  ?? ((): never => { throw new Error('@noble/curves lacks ristretto255 element derivation'); });

/** The password-dependent generator: element derivation (RFC 9496) of SHA-512(generator string). */
export function calculateGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): RistrettoPoint {
  return deriveElement(sha512(generatorString(prs, ci, sid)));
}

/**
 * A secret scalar as the draft recommends: 32 random bytes with the bits above the
 * group's 252 cleared, read little-endian. Zero (probability 2^-252) is drawn again.
 */
export function sampleScalar(randomBytes: (length: number) => Uint8Array): bigint {
  for (;;) {
    const bytes = randomBytes(32).slice();
    bytes[31] = bytes[31]! & 0x0f;
    const scalar = scalarFromLittleEndian(bytes);
    if (scalar !== 0n) return scalar;
  }
}

export function scalarFromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** Y = encode(y · g): the share a side sends. */
export function scalarMult(y: bigint, g: RistrettoPoint): Uint8Array {
  return g.multiply(y).toBytes();
}

/**
 * encode(y · decode(X)), or the identity's encoding when X does not decode: the caller
 * then aborts (see {@link isIdentity}). The result is K, never to leave this layer.
 */
export function scalarMultVfy(y: bigint, x: Uint8Array): Uint8Array {
  let point: RistrettoPoint;
  try {
    point = Point.fromBytes(x);
  } catch {
    return IDENTITY.slice();
  }
  if (point.is0()) return IDENTITY.slice();
  return point.multiply(y).toBytes();
}

export function isIdentity(encoded: Uint8Array): boolean {
  let acc = 0;
  for (const b of encoded) acc |= b;
  return acc === 0 && encoded.length === 32;
}

/** The initiator/responder transcript: lv_cat(Ya, ADa) || lv_cat(Yb, ADb). */
export function transcriptIr(ya: Uint8Array, ada: Uint8Array, yb: Uint8Array, adb: Uint8Array): Uint8Array {
  return concatBytes(lvCat(ya, ada), lvCat(yb, adb));
}

/** ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript_ir(Ya, ADa, Yb, ADb)). */
export function intermediateSessionKey(sid: Uint8Array, k: Uint8Array, transcript: Uint8Array): Uint8Array {
  return sha512(concatBytes(lvCat(DSI_ISK, sid, k), transcript));
}
