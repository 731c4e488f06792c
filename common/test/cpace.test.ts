import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ristretto255 } from '@noble/curves/ed25519.js';
import {
  calculateGenerator, generatorString, intermediateSessionKey, isIdentity, lvCat, prependLen, sampleScalar,
  scalarFromLittleEndian, scalarMult, scalarMultVfy, transcriptIr,
} from '../e2e/cpace';

/**
 * The published test vectors of draft-irtf-cfrg-cpace for CPace over ristretto255 with
 * SHA-512 (appendix "Test vector for CPace using group ristretto255 and hash SHA-512"),
 * and its general ones for prepend_len and lv_cat.
 */
const hex = (s: string): Uint8Array => hexToBytes(s.replace(/\s+/g, ''));

const V = {
  prs: utf8ToBytes('Password'),
  ci: hex('0b415f696e69746961746f720b425f726573706f6e646572'),
  sid: hex('7e4b4791d6a8ef019b936c79fb7f2c57'),
  generatorString: hex(`
    11435061636552697374726574746f3235350850617373776f726464
    00000000000000000000000000000000000000000000000000000000
    00000000000000000000000000000000000000000000000000000000
    00000000000000000000000000000000000000000000000000000000
    00000000000000000000000000000000180b415f696e69746961746f
    720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f
    2c57`),
  g: '222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56',
  ya: hex('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08'),
  Ya: 'd6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157',
  yb: hex('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d'),
  Yb: '3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258',
  K: '80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f',
  transcript: `20d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0e
    ec482b915703414461203ea7e0b19560d7c0b0f5734f63b955286dfa
    8232b5ebe63324e2d9e7433f725803414462`,
  isk: `b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc
    ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c
    3fa2068af7900447`,
};

describe('CPace ristretto255/SHA-512: the draft\'s test vectors', () => {
  it('prepend_len and lv_cat', () => {
    expect(bytesToHex(prependLen(new Uint8Array(0)))).toBe('00');
    expect(bytesToHex(prependLen(utf8ToBytes('1234')))).toBe('0431323334');
    const of127 = prependLen(Uint8Array.from({ length: 127 }, (_, i) => i));
    expect(bytesToHex(of127.subarray(0, 3))).toBe('7f0001');
    const of128 = prependLen(Uint8Array.from({ length: 128 }, (_, i) => i));
    expect(bytesToHex(of128.subarray(0, 4))).toBe('80010001');
    expect(bytesToHex(lvCat(utf8ToBytes('1234'), utf8ToBytes('5'), new Uint8Array(0), utf8ToBytes('678')))).toBe('043132333401350003363738');
  });

  it('generator string and generator g', () => {
    expect(bytesToHex(generatorString(V.prs, V.ci, V.sid))).toBe(bytesToHex(V.generatorString));
    expect(bytesToHex(calculateGenerator(V.prs, V.ci, V.sid).toBytes())).toBe(V.g);
  });

  it('the messages of A and B, the secret point K and the initiator/responder ISK', () => {
    const g = calculateGenerator(V.prs, V.ci, V.sid);
    const ya = scalarFromLittleEndian(V.ya);
    const yb = scalarFromLittleEndian(V.yb);
    const Ya = scalarMult(ya, g);
    const Yb = scalarMult(yb, g);
    expect(bytesToHex(Ya)).toBe(V.Ya);
    expect(bytesToHex(Yb)).toBe(V.Yb);
    expect(bytesToHex(scalarMultVfy(ya, Yb))).toBe(V.K);
    expect(bytesToHex(scalarMultVfy(yb, Ya))).toBe(V.K);
    const transcript = transcriptIr(Ya, utf8ToBytes('ADa'), Yb, utf8ToBytes('ADb'));
    expect(bytesToHex(transcript)).toBe(V.transcript.replace(/\s+/g, ''));
    expect(bytesToHex(intermediateSessionKey(V.sid, hex(V.K), transcript))).toBe(V.isk.replace(/\s+/g, ''));
  });

  it('scalar_mult_vfy on a valid point, and the identity for the invalid ones (which must abort)', () => {
    const s = scalarFromLittleEndian(hex('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05'));
    const X = hex('2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    expect(bytesToHex(scalarMultVfy(s, X))).toBe('7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e');
    const notAPoint = hex('2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    const identity = new Uint8Array(32);
    expect(isIdentity(scalarMultVfy(s, notAPoint))).toBe(true);
    expect(isIdentity(scalarMultVfy(s, identity))).toBe(true);
    expect(isIdentity(scalarMultVfy(s, X))).toBe(false);
  });

  it('samples scalars below 2^252 and never zero', () => {
    const ones = sampleScalar(() => new Uint8Array(32).fill(0xff));
    expect(ones).toBe((1n << 252n) - 1n);
    let calls = 0;
    const zeroThenOne = sampleScalar(() => {
      calls++;
      const b = new Uint8Array(32);
      if (calls > 1) b[0] = 1;
      return b;
    });
    expect(zeroThenOne).toBe(1n);
    expect(calls).toBe(2);
    // Every sampled scalar is a valid one for the group (below its order).
    expect(ones < ristretto255.Point.Fn.ORDER).toBe(true);
  });
});
