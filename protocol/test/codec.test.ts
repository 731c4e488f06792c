import { decodeObject, decodeText, encodeControl, validateInputEvent, type DecodeResult } from '../codec';
import { Errors } from '../errors';
import { INPUT_KINDS, MAX_KEY_NAME_LENGTH, MAX_TEXT_EVENT_LENGTH, MAX_WHEEL_STEPS } from '../input';
import { CONTROL_TYPES, MAX_DISPLAYS, MAX_NAME_LENGTH, MAX_SEALED_BOX_BYTES, type ControlMessage } from '../messages';
import { CONTROL_SAMPLES, INPUT_SAMPLES, coveredKinds, coveredTypes } from './samples';

function expectMalformed(result: DecodeResult<unknown>): void {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.error.code).toBe('RS_ERR_PROTO_MALFORMED');
    expect(result.error).toBe(Errors.PROTO_MALFORMED);
    expect(typeof result.detail).toBe('string');
  }
}

/** Decodes without letting an exception escape unnoticed: a throw fails the test. */
function safeDecode(text: string): DecodeResult<ControlMessage> {
  let result: DecodeResult<ControlMessage> | undefined;
  expect(() => { result = decodeText(text); }).not.toThrow();
  return result!;
}

describe('round trip', () => {
  it('the samples cover every control type and every input kind', () => {
    expect([...coveredTypes()].sort()).toEqual([...CONTROL_TYPES].sort());
    expect([...coveredKinds()].sort()).toEqual([...INPUT_KINDS].sort());
  });

  it.each(CONTROL_SAMPLES.map((m) => [m.type, m] as const))('%s: encodeControl → decodeText gives it back', (_type, message) => {
    const text = encodeControl(message);
    expect(typeof text).toBe('string');
    const result = decodeText(text);
    expect(result).toEqual({ ok: true, message, exact: true });
  });

  it.each(INPUT_SAMPLES.map((e) => [e.kind, e] as const))('input event %s survives the wire', (_kind, event) => {
    const result = decodeText(encodeControl({ type: 'input', seq: 7, event }));
    expect(result).toEqual({ ok: true, message: { type: 'input', seq: 7, event }, exact: true });
    expect(validateInputEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('decodeObject accepts an already-parsed object (legacy shim path)', () => {
    expect(decodeObject({ type: 'register', name: 'PC' })).toEqual({ ok: true, message: { type: 'register', name: 'PC' } });
  });

  it('ignores and drops members it does not know', () => {
    const result = decodeText('{"type":"consent","granted":true,"viewOnly":false,"extra":{"deep":[1,2]}}');
    expect(result).toEqual({ ok: true, message: { type: 'consent', granted: true, viewOnly: false }, exact: false });
  });

  it('says a text is exact only when it held nothing but what was decoded, at any depth', () => {
    const exact = (text: string): boolean | undefined => { const r = decodeText(text); return r.ok ? r.exact : undefined; };
    expect(exact('{"type":"input","seq":1,"event":{"kind":"pointer-move","x":1,"y":2}}')).toBe(true);
    expect(exact('{"type":"input","seq":1,"event":{"kind":"pointer-move","x":1,"y":2,"z":3}}')).toBe(false);
    expect(exact('{"type":"input","seq":1,"event":{"kind":"key-down","code":"KeyA","key":"a","modifiers":{"ctrl":false,"alt":false,"shift":false,"meta":false,"hyper":true}}}')).toBe(false);
    expect(exact('{"type":"screen-info","displays":[{"id":0,"x":0,"y":0,"width":8,"height":8,"primary":true,"note":1}],"streaming":0}')).toBe(false);
    expect(exact('{"type":"screen-info","displays":[{"id":0,"x":0,"y":0,"width":8,"height":8,"primary":true}],"streaming":0}')).toBe(true);
    expect(exact('{ "type" : "refresh", "reason" : "requested" }')).toBe(true); // spacing changes nothing a decoder sees
  });

  it('drops the value of quality "auto"', () => {
    expect(decodeText('{"type":"quality","mode":"auto","value":50}')).toEqual({ ok: true, message: { type: 'quality', mode: 'auto' }, exact: false });
  });

  it('accepts integers written with a fraction of zero and names at the limit', () => {
    expect(decodeText('{"type":"hello","version":1.0,"role":"client"}')).toEqual({ ok: true, message: { type: 'hello', version: 1, role: 'client' }, exact: true });
    const name = 'n'.repeat(MAX_NAME_LENGTH);
    expect(decodeText(encodeControl({ type: 'register', name }))).toEqual({ ok: true, message: { type: 'register', name }, exact: true });
  });

  it('a JSON "__proto__" member neither pollutes nor supplies fields', () => {
    expect(decodeText('{"type":"hello","version":1,"role":"client","__proto__":{"app":"x"}}'))
      .toEqual({ ok: true, message: { type: 'hello', version: 1, role: 'client' }, exact: false });
    expectMalformed(safeDecode('{"__proto__":{"type":"bye"}}'));
    expect(({} as Record<string, unknown>).app).toBeUndefined();
  });
});

const KEYS = { ctrl: false, alt: false, shift: false, meta: false };
const input = (event: unknown): string => JSON.stringify({ type: 'input', seq: 1, event });
const display = { id: 0, x: 0, y: 0, width: 10, height: 10, primary: true };

/** Each entry is [what is wrong, the text message]. */
const MALFORMED_TEXT: readonly (readonly [string, string])[] = [
  // not a JSON object
  ['empty string', ''],
  ['not JSON', 'hello'],
  ['truncated JSON', '{"type":"hello","version":1,'],
  ['JSON with a trailing comma', '{"type":"bye",}'],
  ['JSON array', '[{"type":"bye"}]'],
  ['JSON string', '"bye"'],
  ['JSON number', '42'],
  ['JSON null', 'null'],
  ['JSON true', 'true'],
  // type
  ['missing type', '{"version":1,"role":"client"}'],
  ['type not a string', '{"type":1}'],
  ['type null', '{"type":null}'],
  ['unknown type', '{"type":"ping"}'],
  ['type of another case', '{"type":"HELLO","version":1,"role":"client"}'],
  ['type from the prototype', '{"type":"constructor"}'],
  // wrong field types
  ['version as a string', '{"type":"hello","version":"1","role":"client"}'],
  ['role unknown', '{"type":"hello","version":1,"role":"admin"}'],
  ['app as a number', '{"type":"hello","version":1,"role":"client","app":5}'],
  ['app null', '{"type":"hello","version":1,"role":"client","app":null}'],
  ['granted as a number', '{"type":"consent","granted":1,"viewOnly":false}'],
  ['viewOnly missing', '{"type":"consent","granted":true}'],
  ['granted as a string', '{"type":"consent","granted":"true","viewOnly":false}'],
  ['peer not an object', '{"type":"paired","sessionId":"s","viewOnly":false,"peer":"x"}'],
  ['peer an array', '{"type":"paired","sessionId":"s","viewOnly":false,"peer":[]}'],
  ['peer.legacy missing', '{"type":"paired","sessionId":"s","viewOnly":false,"peer":{"name":"a","wholeFramesOnly":false}}'],
  ['event missing', '{"type":"input","seq":1}'],
  ['event an array', '{"type":"input","seq":1,"event":[]}'],
  ['displays not an array', JSON.stringify({ type: 'screen-info', displays: display, streaming: 0 })],
  ['display not an object', JSON.stringify({ type: 'screen-info', displays: [1], streaming: 0 })],
  ['display primary missing', JSON.stringify({ type: 'screen-info', displays: [{ ...display, primary: undefined }], streaming: 0 })],
  ['refresh reason unknown', '{"type":"refresh","reason":"because"}'],
  ['peer-left reason unknown', '{"type":"peer-left","reason":"gone"}'],
  ['quality mode unknown', '{"type":"quality","mode":"best"}'],
  ['quality fixed without value', '{"type":"quality","mode":"fixed"}'],
  // out-of-range numbers
  ['version negative', '{"type":"hello","version":-1,"role":"client"}'],
  ['version fractional', '{"type":"hello","version":1.5,"role":"client"}'],
  ['version beyond uint32', '{"type":"hello","version":4294967296,"role":"client"}'],
  ['version huge', '{"type":"hello","version":1e400,"role":"client"}'],
  ['heartbeatMs zero', '{"type":"welcome","version":1,"heartbeatMs":0,"maxFrameBytes":1,"maxTextBytes":1}'],
  ['ttlMs over 7 days', '{"type":"code","code":"123456","expiresAt":1,"ttlMs":604800001}'],
  ['expiresAt negative', '{"type":"code","code":"123456","expiresAt":-1,"ttlMs":1}'],
  ['timeoutMs negative', '{"type":"waiting-consent","timeoutMs":-5}'],
  ['quality value 0', '{"type":"quality","mode":"fixed","value":0}'],
  ['quality value 101', '{"type":"quality","mode":"fixed","value":101}'],
  ['quality value fractional', '{"type":"quality","mode":"fixed","value":50.5}'],
  ['seq negative', JSON.stringify({ type: 'input', seq: -1, event: { kind: 'pointer-move', x: 1, y: 1 } })],
  ['seq beyond uint32', JSON.stringify({ type: 'input', seq: 2 ** 32, event: { kind: 'pointer-move', x: 1, y: 1 } })],
  ['x negative', input({ kind: 'pointer-move', x: -1, y: 0 })],
  ['y beyond 65535', input({ kind: 'pointer-move', x: 0, y: 65536 })],
  ['x fractional', input({ kind: 'click', button: 'left', x: 1.5, y: 0 })],
  ['wheel dy beyond the limit', input({ kind: 'wheel', x: 0, y: 0, dx: 0, dy: MAX_WHEEL_STEPS + 1 })],
  ['wheel dx below the limit', input({ kind: 'wheel', x: 0, y: 0, dx: -MAX_WHEEL_STEPS - 1, dy: 0 })],
  ['display 256', input({ kind: 'pointer-move', x: 0, y: 0, display: 256 })],
  ['streaming 256', JSON.stringify({ type: 'screen-info', displays: [display], streaming: 256 })],
  ['display width 0', JSON.stringify({ type: 'screen-info', displays: [{ ...display, width: 0 }], streaming: 0 })],
  ['no displays', JSON.stringify({ type: 'screen-info', displays: [], streaming: 0 })],
  ['too many displays', JSON.stringify({ type: 'screen-info', displays: Array.from({ length: MAX_DISPLAYS + 1 }, () => display), streaming: 0 })],
  // strings of the wrong length
  ['register name too long', JSON.stringify({ type: 'register', name: 'n'.repeat(MAX_NAME_LENGTH + 1) })],
  ['join name too long', JSON.stringify({ type: 'join', code: '123456', name: 'n'.repeat(MAX_NAME_LENGTH + 1) })],
  ['app too long', JSON.stringify({ type: 'hello', version: 1, role: 'client', app: 'a'.repeat(MAX_NAME_LENGTH + 1) })],
  ['technicianName too long', JSON.stringify({ type: 'consent-request', technicianName: 't'.repeat(65), timeoutMs: 1 })],
  ['bye reason too long', JSON.stringify({ type: 'bye', reason: 'r'.repeat(65) })],
  ['sessionId empty', JSON.stringify({ type: 'paired', sessionId: '', viewOnly: false, peer: { name: 'a', legacy: false, wholeFramesOnly: false } })],
  ['sessionId too long', JSON.stringify({ type: 'paired', sessionId: 's'.repeat(129), viewOnly: false, peer: { name: 'a', legacy: false, wholeFramesOnly: false } })],
  ['error code empty', '{"type":"error","code":"","message":"m"}'],
  ['error message too long', JSON.stringify({ type: 'error', code: 'RS_ERR_X_Y', message: 'm'.repeat(513) })],
  ['text event too long', input({ kind: 'text', text: 'x'.repeat(MAX_TEXT_EVENT_LENGTH + 1) })],
  ['text event of emoji too long (UTF-16 units)', input({ kind: 'text', text: '😀'.repeat(MAX_TEXT_EVENT_LENGTH / 2 + 1) })],
  ['text event empty', input({ kind: 'text', text: '' })],
  ['key code too long', input({ kind: 'key-down', code: 'K'.repeat(MAX_KEY_NAME_LENGTH + 1), key: 'a', modifiers: KEYS })],
  ['key key too long', input({ kind: 'key-up', code: 'KeyA', key: 'k'.repeat(MAX_KEY_NAME_LENGTH + 1), modifiers: KEYS })],
  // bad access codes
  ['code with five digits', '{"type":"join","code":"12345","name":"a"}'],
  ['code with seven digits', '{"type":"join","code":"1234567","name":"a"}'],
  ['code with a letter', '{"type":"join","code":"12345a","name":"a"}'],
  ['code with a space', '{"type":"join","code":"123 45","name":"a"}'],
  ['code with a newline', '{"type":"join","code":"12345\\n","name":"a"}'],
  ['code of full-width digits', '{"type":"join","code":"１２３４５６","name":"a"}'],
  ['code as a number', '{"type":"join","code":123456,"name":"a"}'],
  ['code message with a bad code', '{"type":"code","code":"abcdef","expiresAt":1,"ttlMs":1}'],
  // input events
  ['unknown input kind', input({ kind: 'touch', x: 1, y: 1 })],
  ['input kind missing', input({ x: 1, y: 1 })],
  ['input kind from the prototype', input({ kind: 'toString' })],
  ['bad button', input({ kind: 'click', button: 'back', x: 1, y: 1 })],
  ['button missing', input({ kind: 'button-down', x: 1, y: 1 })],
  ['button as a number', input({ kind: 'button-up', button: 0, x: 1, y: 1 })],
  ['modifiers missing', input({ kind: 'key-down', code: 'KeyA', key: 'a' })],
  ['a modifier missing', input({ kind: 'key-down', code: 'KeyA', key: 'a', modifiers: { ctrl: false, alt: false, shift: false } })],
  ['a modifier as a number', input({ kind: 'key-down', code: 'KeyA', key: 'a', modifiers: { ...KEYS, meta: 0 } })],
  // version 2: key agreement and sealed messages
  ['binding of 15 bytes', '{"type":"e2e-start","binding":"AAECAwQFBgcICQoLDA0O"}'],
  ['binding of 17 bytes', '{"type":"e2e-start","binding":"AAECAwQFBgcICQoLDA0ODxA"}'],
  ['binding not canonical (low bits set)', '{"type":"e2e-start","binding":"AAECAwQFBgcICQoLDA0ODx"}'],
  ['binding with padding', '{"type":"e2e-start","binding":"AAECAwQFBgcICQoLDA0ODw=="}'],
  ['binding in standard base64', '{"type":"e2e-start","binding":"AAECAwQFBgcICQoLDA0+Dw"}'],
  ['share of 31 bytes', JSON.stringify({ type: 'e2e-share', share: 'A'.repeat(42) })],
  ['share with a space', JSON.stringify({ type: 'e2e-share', share: `${'A'.repeat(21)} ${'A'.repeat(21)}` })],
  ['share as bytes', '{"type":"e2e-share","share":[1,2,3]}'],
  ['mac missing', '{"type":"e2e-confirm"}'],
  ['failure reason unknown', '{"type":"e2e-failed","reason":"bored"}'],
  ['introduce name too long', JSON.stringify({ type: 'introduce', name: 'n'.repeat(MAX_NAME_LENGTH + 1) })],
  ['sealed inner not sealable', '{"type":"sealed","inner":"consent","n":0,"box":"AAECAwQFBgcICQoLDA0ODxA"}'],
  ['sealed n negative', '{"type":"sealed","inner":"input","n":-1,"box":"AAECAwQFBgcICQoLDA0ODxA"}'],
  ['sealed n beyond 2^53', '{"type":"sealed","inner":"input","n":9007199254740992,"box":"AAECAwQFBgcICQoLDA0ODxA"}'],
  ['sealed box shorter than a tag and a byte', '{"type":"sealed","inner":"input","n":0,"box":"AAECAwQFBgcICQoLDA0ODw"}'],
  ['sealed box not base64url', '{"type":"sealed","inner":"input","n":0,"box":"AAECAwQFBgcICQoLDA0ODxA!"}'],
  ['introduce with features not a list', '{"type":"introduce","name":"a","features":"cursor"}'],
  ['introduce with a feature not a string', '{"type":"introduce","name":"a","features":[1]}'],
  ['introduce with an empty feature', '{"type":"introduce","name":"a","features":[""]}'],
  ['introduce with too many features', JSON.stringify({ type: 'introduce', name: 'a', features: Array.from({ length: 17 }, (_, i) => `f${i}`) })],
  ['cursor-shape without pixels', '{"type":"cursor-shape","id":1,"width":1,"height":1,"hotX":0,"hotY":0}'],
  ['cursor-shape with a fractional width', '{"type":"cursor-shape","id":1,"width":1.5,"height":1,"hotX":0,"hotY":0,"rgba":"AAAAAA"}'],
  ['cursor-shape with a negative id', '{"type":"cursor-shape","id":-1,"width":1,"height":1,"hotX":0,"hotY":0,"rgba":"AAAAAA"}'],
  ['cursor-shape with pixels beyond a sealed box', JSON.stringify({ type: 'cursor-shape', id: 1, width: 1, height: 1, hotX: 0, hotY: 0, rgba: 'A'.repeat(Math.ceil((MAX_SEALED_BOX_BYTES * 4) / 3) + 4) })],
  ['cursor-pos without visible', '{"type":"cursor-pos","x":1,"y":1,"shape":0}'],
  ['cursor-pos with a string x', '{"type":"cursor-pos","x":"1","y":1,"visible":true,"shape":0}'],
  ['cursor-pos beyond any screen', '{"type":"cursor-pos","x":70000,"y":1,"visible":true,"shape":0}'],
  ['consent-request with a verified name too long', JSON.stringify({ type: 'consent-request', technicianName: '', timeoutMs: 1, verifiedName: 'x'.repeat(65) })],
  ['consent-request with a verified name not a string', '{"type":"consent-request","technicianName":"","timeoutMs":1,"verifiedName":true}'],
  ['select-display without id', '{"type":"select-display"}'],
  ['select-display past the last display id', '{"type":"select-display","id":256}'],
  ['select-display with a negative id', '{"type":"select-display","id":-1}'],
  ['select-display with a fractional id', '{"type":"select-display","id":1.5}'],
  ['select-display with a string id', '{"type":"select-display","id":"1"}'],
  ['chat without text', '{"type":"chat"}'],
  ['chat with empty text', '{"type":"chat","text":""}'],
  ['chat longer than MAX_CHAT_TEXT_LENGTH', JSON.stringify({ type: 'chat', text: 'a'.repeat(4001) })],
  ['chat with half a surrogate pair', '{"type":"chat","text":"ok \\ud83d"}'],
  ['chat with a number', '{"type":"chat","text":5}'],
  ['clipboard without text', '{"type":"clipboard"}'],
  ['clipboard longer than MAX_CLIPBOARD_TEXT_LENGTH', JSON.stringify({ type: 'clipboard', text: 'a'.repeat(4001) })],
  ['clipboard with half a surrogate pair', '{"type":"clipboard","text":"\\udc00"}'],
  ['clipboard with text and a problem', '{"type":"clipboard","text":"a","problem":"too-long"}'],
  ['clipboard with an unknown problem', '{"type":"clipboard","text":"","problem":"locked"}'],
  ['file-offer with id 0', '{"type":"file-offer","id":0,"name":"a","size":1}'],
  ['file-offer with an id past MAX_TRANSFER_ID', '{"type":"file-offer","id":2147483648,"name":"a","size":1}'],
  ['file-offer with an empty name', '{"type":"file-offer","id":1,"name":"","size":1}'],
  ['file-offer with a name longer than MAX_FILE_NAME_LENGTH', JSON.stringify({ type: 'file-offer', id: 1, name: 'a'.repeat(256), size: 1 })],
  ['file-offer with half a surrogate pair in the name', '{"type":"file-offer","id":1,"name":"a\\ud83d","size":1}'],
  ['file-offer with a negative size', '{"type":"file-offer","id":1,"name":"a","size":-1}'],
  ['file-offer with a fractional size', '{"type":"file-offer","id":1,"name":"a","size":1.5}'],
  ['file-offer with a size past 2^53', '{"type":"file-offer","id":1,"name":"a","size":9007199254740993}'],
  ['file-decline with an unknown reason', '{"type":"file-decline","id":1,"reason":"nope"}'],
  ['file-resume with a negative offset', '{"type":"file-resume","id":1,"offset":-1}'],
  ['file-ack with a string count', '{"type":"file-ack","id":1,"received":"5"}'],
  ['file-end with a digest of 31 bytes', JSON.stringify({ type: 'file-end', id: 1, sha256: 'A'.repeat(42) })],
  ['file-cancel with an unknown reason', '{"type":"file-cancel","id":1,"reason":"bored"}'],
  ['file-request without id', '{"type":"file-request"}'],
  ['welcome with maxFileBytes 0', '{"type":"welcome","version":2,"heartbeatMs":1,"maxFrameBytes":1,"maxTextBytes":1,"maxFileBytes":0}'],
  ['clipboard-request without follow', '{"type":"clipboard-request"}'],
  ['clipboard-request with a string follow', '{"type":"clipboard-request","follow":"yes"}'],
  ['hello with features not a list', '{"type":"hello","version":2,"role":"client","features":"resume"}'],
  ['hello with too many features', JSON.stringify({ type: 'hello', version: 2, role: 'client', features: Array.from({ length: 17 }, (_, i) => `f${i}`) })],
  ['resume without a token', '{"type":"resume"}'],
  ['resume with a token of 31 bytes', JSON.stringify({ type: 'resume', token: 'A'.repeat(42) })],
  ['resume with a token of 33 bytes', JSON.stringify({ type: 'resume', token: 'A'.repeat(44) })],
  ['resume with a token in standard base64', '{"type":"resume","token":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+"}'],
  ['resume with a token as a number', '{"type":"resume","token":12345}'],
  ['resume-token without graceMs', '{"type":"resume-token","token":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}'],
  ['resume-token with a negative grace', '{"type":"resume-token","token":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","graceMs":-1}'],
  ['resumed without peer', '{"type":"resumed","sessionId":"s","viewOnly":false}'],
  ['resumed with viewOnly as 0', '{"type":"resumed","sessionId":"s","viewOnly":0,"peer":{"name":"","legacy":false,"wholeFramesOnly":false}}'],
  ['peer-away with a fractional grace', '{"type":"peer-away","graceMs":1.5}'],
  ['ack without n', '{"type":"ack"}'],
  ['ack with a negative n', '{"type":"ack","n":-1}'],
  ['ack with n beyond 2^53', '{"type":"ack","n":9007199254740992}'],
  ['ack with n as a string', '{"type":"ack","n":"3"}'],
  ['sealed box beyond the limit', JSON.stringify({ type: 'sealed', inner: 'input', n: 0, box: 'A'.repeat(Math.ceil((MAX_SEALED_BOX_BYTES * 4) / 3) + 4) })],
];

describe('malformed text is refused with RS_ERR_PROTO_MALFORMED, never thrown', () => {
  it.each(MALFORMED_TEXT)('%s', (_what, text) => {
    expectMalformed(safeDecode(text));
  });

  it('refuses a JSON document nested too deeply to parse, without throwing', () => {
    const deep = `{"type":"bye","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const result = safeDecode(deep);
    // Either V8 parses it (and the member is ignored) or the parse fails: never an exception.
    if (!result.ok) expectMalformed(result);
    else expect(result.message).toEqual({ type: 'bye' });
  });

  it('the detail never echoes peer values', () => {
    const secret = 'SECRET-VALUE-123';
    for (const text of [
      JSON.stringify({ type: secret }),
      JSON.stringify({ type: 'join', code: secret, name: 'a' }),
      JSON.stringify({ type: 'register', name: secret.repeat(10) }),
      input({ kind: secret }),
    ]) {
      const result = safeDecode(text);
      expectMalformed(result);
      if (!result.ok) expect(result.detail).not.toContain(secret);
    }
  });
});
