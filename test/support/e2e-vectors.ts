import { webcrypto } from 'node:crypto';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeFrameAck, SEALING_VERSION } from '../../protocol';
import { channelIdentifier, ClientAgreement, TechnicianAgreement } from '../../common/e2e/agreement';
import { calculateGenerator, intermediateSessionKey, scalarFromLittleEndian, scalarMultVfy, transcriptIr } from '../../common/e2e/cpace';
import { RecordSealer } from '../../common/e2e/record-layer';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';

/**
 * The worked example of docs/PROTOCOL.md §12.8, computed by the real code: a fixed code,
 * binding and secret scalars (the CPace draft's own), then every value of the agreement
 * and two sealed records. common/test/e2e-vectors.test.ts keeps the document equal to this.
 */
const CODE = '385621947';
const BINDING = hexToBytes('000102030405060708090a0b0c0d0e0f');
const SCALAR_TECHNICIAN = hexToBytes('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08');
const SCALAR_CLIENT = hexToBytes('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d');

function wrap(hex: string, indent = '    ', width = 64): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += width) lines.push(indent + hex.slice(i, i + width));
  return lines.join('\n');
}

function unwrap<T>(step: { ok: true; value: T } | { ok: false }): T {
  if (!step.ok) throw new Error('the worked example failed to agree');
  return step.value;
}

/** The text between the e2e-vectors markers of PROTOCOL.md (without the markers). */
export async function e2eVectorsText(): Promise<string> {
  const technician = new TechnicianAgreement({ code: CODE, binding: BINDING, version: SEALING_VERSION, randomBytes: () => SCALAR_TECHNICIAN.slice() });
  const client = new ClientAgreement({ code: CODE, binding: BINDING, version: SEALING_VERSION, randomBytes: () => SCALAR_CLIENT.slice() });
  const ya = unwrap(technician.share());
  const yb = unwrap(client.receiveShare(ya));
  const ta = unwrap(technician.receiveShare(yb));
  const { confirm: tb, keys } = unwrap(client.receiveConfirm(ta));
  unwrap(technician.receiveConfirm(tb));

  const ci = channelIdentifier(SEALING_VERSION);
  const g = calculateGenerator(utf8ToBytes(CODE), ci, BINDING);
  const k = scalarMultVfy(scalarFromLittleEndian(SCALAR_TECHNICIAN), yb);
  const isk = intermediateSessionKey(BINDING, k, transcriptIr(ya, utf8ToBytes('technician'), yb, utf8ToBytes('client')));

  const sealer = new RecordSealer(await webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto)(keys.technicianToClient));
  const input = await sealer.sealText({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 812, y: 440 } });
  const ack = await sealer.sealBinary(encodeFrameAck(42, 1700000000123.5));

  return [
    '```',
    `code (PRS)           "${CODE}" (UTF-8): routing digits 385621, secret digits 947`,
    'binding (sid)',
    wrap(bytesToHex(BINDING)),
    `CI                   lv_cat("CompuEasys Remote Support e2e/${SEALING_VERSION}", "technician", "client")`,
    wrap(bytesToHex(ci)),
    'generator g',
    wrap(bytesToHex(g.toBytes())),
    'ya (technician, little-endian)  = the CPace draft\'s ya',
    'Ya = e2e-share of the technician',
    wrap(bytesToHex(ya)),
    'yb (client, little-endian)      = the CPace draft\'s yb',
    'Yb = e2e-share of the client',
    wrap(bytesToHex(yb)),
    'K',
    wrap(bytesToHex(k)),
    'ISK = SHA-512(lv_cat("CPaceRistretto255_ISK", sid, K) || lv_cat(Ya, "technician") || lv_cat(Yb, "client"))',
    wrap(bytesToHex(isk)),
    'Ta = e2e-confirm of the technician',
    wrap(bytesToHex(ta)),
    'Tb = e2e-confirm of the client',
    wrap(bytesToHex(tb)),
    'key technician → client',
    wrap(bytesToHex(keys.technicianToClient)),
    'key client → technician',
    wrap(bytesToHex(keys.clientToTechnician)),
    '',
    'The technician\'s first input, {"type":"input","seq":0,"event":{"kind":"click","button":"left","x":812,"y":440}},',
    'sealed as text record 0 (nonce 00 000000 0000000000000000, AAD "input"):',
    `    ${JSON.stringify(input)}`,
    '',
    'Its acknowledgement of update 42 (encodeFrameAck(42, 1700000000123.5)), sealed as binary record 0',
    '(nonce 01 000000 0000000000000000, AAD = the first 8 bytes): envelope | record number | ciphertext | tag',
    wrap(bytesToHex(ack.subarray(0, 8)), '    '),
    wrap(bytesToHex(ack.subarray(8, 16)), '    '),
    wrap(bytesToHex(ack.subarray(16, ack.length - 16)), '    '),
    wrap(bytesToHex(ack.subarray(ack.length - 16)), '    '),
    '```',
  ].join('\n');
}
