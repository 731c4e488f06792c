import { decodeBase64Url, isBase64UrlOf } from './base64url';
import { Errors, type ErrorSpec } from './errors';
import {
  BinaryKind, parseFileChunk, parseFrame, parseFrameAck, type BinaryMessage,
} from './frame';
import {
  INPUT_KINDS, MAX_COORDINATE, MAX_KEY_NAME_LENGTH, MAX_TEXT_EVENT_LENGTH, MAX_WHEEL_STEPS, MOUSE_BUTTONS,
  type InputEvent, type Modifiers,
} from './input';
import {
  ACCESS_CODE_PATTERN, CLIPBOARD_PROBLEMS, E2E_BINDING_BYTES, E2E_FAILURE_REASONS, E2E_MAC_BYTES, E2E_SHARE_BYTES,
  MAX_CHAT_TEXT_LENGTH, MAX_CLIPBOARD_TEXT_LENGTH, MAX_DISPLAYS,
  MAX_FEATURE_LENGTH, MAX_FEATURES, MAX_NAME_LENGTH, MAX_SEALED_BOX_BYTES, PEER_LEFT_REASONS, REFRESH_REASONS, RESUME_TOKEN_BYTES, SEALABLE_TYPES,
  FILE_CANCEL_REASONS, FILE_DECLINE_REASONS, MAX_FILE_NAME_LENGTH, MAX_FILE_SIZE, MAX_TRANSFER_ID,
  type ControlMessage, type DisplayInfo, type PeerInfo,
} from './messages';

/**
 * The one decoder of peer input. It never throws: it returns either the message or the
 * catalogue error with a short detail (safe to log: it never echoes peer values).
 */
export type DecodeResult<T> =
  | { readonly ok: true; readonly message: T }
  | { readonly ok: false; readonly error: ErrorSpec; readonly detail: string };

/**
 * A decoded text message, and whether the text held exactly what was decoded: no member
 * the decoder does not know, anywhere. Then a relay may forward the text as received
 * (cheaper than encoding it again) and the other side still sees only checked members.
 */
export type TextDecodeResult =
  | { readonly ok: true; readonly message: ControlMessage; readonly exact: boolean }
  | { readonly ok: false; readonly error: ErrorSpec; readonly detail: string };

/** A value that failed validation; thrown only inside this module and caught below. */
class Invalid extends Error {}

function fail(detail: string): never {
  throw new Invalid(detail);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, max: number, min = 0): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${key}: expected a string`);
  if (v.length > max || v.length < min) fail(`${key}: length out of range`);
  return v;
}

/** A UTF-16 surrogate without its other half (with the `u` flag a whole pair is one code point and never matches). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What a `chat` may carry: 1 … MAX_CHAT_TEXT_LENGTH UTF-16 units of well-formed Unicode
 * (half a surrogate pair is no character: it would show as garbage on the other side).
 * Senders check with it, so that nothing they send is refused.
 */
export function isChatText(text: string): boolean {
  return text.length >= 1 && text.length <= MAX_CHAT_TEXT_LENGTH && !LONE_SURROGATE.test(text);
}

/** What a `clipboard` may carry: 0 … MAX_CLIPBOARD_TEXT_LENGTH UTF-16 units of well-formed Unicode. */
export function isClipboardText(text: string): boolean {
  return text.length <= MAX_CLIPBOARD_TEXT_LENGTH && !LONE_SURROGATE.test(text);
}

function optStr(o: Obj, key: string, max: number): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, max);
}

function int(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${key}: expected an integer`);
  if (v < min || v > max) fail(`${key}: out of range`);
  return v;
}

function num(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key}: expected a number`);
  if (v < min || v > max) fail(`${key}: out of range`);
  return v;
}

function bool(o: Obj, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(`${key}: expected a boolean`);
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(`${key}: not an allowed value`);
  return v as T;
}

function obj(o: Obj, key: string): Obj {
  const v = o[key];
  if (!isObj(v)) fail(`${key}: expected an object`);
  return v;
}

/** A base64url member holding exactly `bytes` bytes. */
function fixedBytes(o: Obj, key: string, bytes: number): string {
  const v = o[key];
  if (typeof v !== 'string' || !isBase64UrlOf(v, bytes)) fail(`${key}: expected ${bytes} bytes of base64url`);
  return v;
}

/** A sealed box: canonical base64url of 17 (an empty message's tag and one byte) to MAX_SEALED_BOX_BYTES bytes. */
function sealedBox(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > Math.ceil((MAX_SEALED_BOX_BYTES * 4) / 3)) fail(`${key}: expected a sealed box`);
  const bytes = decodeBase64Url(v);
  if (bytes === undefined || bytes.length < 17) fail(`${key}: expected a sealed box`);
  return v;
}

function optDisplay(o: Obj): { display?: number } {
  return o.display === undefined ? {} : { display: int(o, 'display', 0, 255) };
}

function modifiers(o: Obj): Modifiers {
  return { ctrl: bool(o, 'ctrl'), alt: bool(o, 'alt'), shift: bool(o, 'shift'), meta: bool(o, 'meta') };
}

/** Validates one input event (the body of an `input` message). */
export function validateInputEvent(o: Obj): InputEvent {
  const kind = oneOf(o, 'kind', INPUT_KINDS);
  switch (kind) {
    case 'pointer-move':
      return { kind, x: int(o, 'x', 0, MAX_COORDINATE), y: int(o, 'y', 0, MAX_COORDINATE), ...optDisplay(o) };
    case 'button-down':
    case 'button-up':
    case 'click':
    case 'double-click':
      return {
        kind, button: oneOf(o, 'button', MOUSE_BUTTONS),
        x: int(o, 'x', 0, MAX_COORDINATE), y: int(o, 'y', 0, MAX_COORDINATE), ...optDisplay(o),
      };
    case 'wheel':
      return {
        kind, x: int(o, 'x', 0, MAX_COORDINATE), y: int(o, 'y', 0, MAX_COORDINATE),
        dx: int(o, 'dx', -MAX_WHEEL_STEPS, MAX_WHEEL_STEPS), dy: int(o, 'dy', -MAX_WHEEL_STEPS, MAX_WHEEL_STEPS),
        ...optDisplay(o),
      };
    case 'key-down':
    case 'key-up':
      return {
        kind, code: str(o, 'code', MAX_KEY_NAME_LENGTH), key: str(o, 'key', MAX_KEY_NAME_LENGTH),
        modifiers: modifiers(obj(o, 'modifiers')),
      };
    case 'text':
      return { kind, text: str(o, 'text', MAX_TEXT_EVENT_LENGTH, 1) };
    default: {
      const unreachable: never = kind;
      return fail(`kind: ${String(unreachable)}`);
    }
  }
}

function peerInfo(o: Obj): PeerInfo {
  return { name: str(o, 'name', MAX_NAME_LENGTH), legacy: bool(o, 'legacy'), wholeFramesOnly: bool(o, 'wholeFramesOnly') };
}

function display(v: unknown): DisplayInfo {
  if (!isObj(v)) fail('displays: expected objects');
  return {
    id: int(v, 'id', 0, 255), x: int(v, 'x', -MAX_COORDINATE, MAX_COORDINATE), y: int(v, 'y', -MAX_COORDINATE, MAX_COORDINATE),
    width: int(v, 'width', 1, MAX_COORDINATE), height: int(v, 'height', 1, MAX_COORDINATE), primary: bool(v, 'primary'),
  };
}

const UINT32_MAX = 0xffffffff;

/**
 * `features`: a short list of short names, kept as they are (a newer side's names mean
 * nothing to an older one, which only ever asks whether a name it knows is there).
 */
function optFeatures(o: Obj): string[] | undefined {
  const list = o.features;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length > MAX_FEATURES) fail('features: expected at most 16 names');
  return list.map((v: unknown) => {
    if (typeof v !== 'string' || v.length < 1 || v.length > MAX_FEATURE_LENGTH) fail('features: expected names of 1–32 characters');
    return v;
  });
}
function transferId(o: Obj): number {
  return int(o, 'id', 1, MAX_TRANSFER_ID);
}

const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;

function validateControl(o: Obj): ControlMessage {
  const type = o.type;
  if (typeof type !== 'string') fail('type: expected a string');
  switch (type) {
    case 'hello': {
      const version = int(o, 'version', 0, UINT32_MAX);
      const role = oneOf(o, 'role', ['client', 'technician'] as const);
      const app = optStr(o, 'app', MAX_NAME_LENGTH);
      const features = optFeatures(o);
      return { type, version, role, ...(app === undefined ? {} : { app }), ...(features === undefined ? {} : { features }) };
    }
    case 'welcome': {
      const welcome = {
        type, version: int(o, 'version', 0, UINT32_MAX), heartbeatMs: int(o, 'heartbeatMs', 1, MAX_DURATION_MS),
        maxFrameBytes: int(o, 'maxFrameBytes', 1, UINT32_MAX), maxTextBytes: int(o, 'maxTextBytes', 1, UINT32_MAX),
      } as const;
      const features = optFeatures(o);
      const maxFileBytes = o.maxFileBytes === undefined ? undefined : int(o, 'maxFileBytes', 1, MAX_FILE_SIZE);
      return { ...welcome, ...(features === undefined ? {} : { features }), ...(maxFileBytes === undefined ? {} : { maxFileBytes }) };
    }
    case 'register':
      return { type, name: str(o, 'name', MAX_NAME_LENGTH) };
    case 'code': {
      const code = str(o, 'code', 6);
      if (!ACCESS_CODE_PATTERN.test(code)) fail('code: expected six digits');
      return { type, code, expiresAt: num(o, 'expiresAt', 0, Number.MAX_SAFE_INTEGER), ttlMs: int(o, 'ttlMs', 0, MAX_DURATION_MS) };
    }
    case 'join': {
      const code = str(o, 'code', 6);
      if (!ACCESS_CODE_PATTERN.test(code)) fail('code: expected six digits');
      return { type, code, name: str(o, 'name', MAX_NAME_LENGTH) };
    }
    case 'waiting-consent':
      return { type, timeoutMs: int(o, 'timeoutMs', 0, MAX_DURATION_MS) };
    case 'consent-request': {
      const request = { type, technicianName: str(o, 'technicianName', MAX_NAME_LENGTH), timeoutMs: int(o, 'timeoutMs', 0, MAX_DURATION_MS) } as const;
      const verifiedName = optStr(o, 'verifiedName', MAX_NAME_LENGTH);
      return verifiedName === undefined ? request : { ...request, verifiedName };
    }
    case 'consent':
      return { type, granted: bool(o, 'granted'), viewOnly: bool(o, 'viewOnly') };
    case 'paired':
      return { type, sessionId: str(o, 'sessionId', 128, 1), viewOnly: bool(o, 'viewOnly'), peer: peerInfo(obj(o, 'peer')) };
    case 'peer-left':
      return { type, reason: oneOf(o, 'reason', PEER_LEFT_REASONS) };
    case 'error':
      return { type, code: str(o, 'code', 64, 1), message: str(o, 'message', 512) };
    case 'bye': {
      const reason = optStr(o, 'reason', MAX_NAME_LENGTH);
      return reason === undefined ? { type } : { type, reason };
    }
    case 'input':
      return { type, seq: int(o, 'seq', 0, UINT32_MAX), event: validateInputEvent(obj(o, 'event')) };
    case 'screen-info': {
      const list = o.displays;
      if (!Array.isArray(list) || list.length < 1 || list.length > MAX_DISPLAYS) fail('displays: expected 1–16 entries');
      return { type, displays: list.map(display), streaming: int(o, 'streaming', 0, 255) };
    }
    case 'refresh':
      return { type, reason: oneOf(o, 'reason', REFRESH_REASONS) };
    case 'quality': {
      const mode = oneOf(o, 'mode', ['auto', 'fixed'] as const);
      if (mode === 'auto') return { type, mode };
      return { type, mode, value: int(o, 'value', 1, 100) };
    }
    case 'e2e-start':
      return { type, binding: fixedBytes(o, 'binding', E2E_BINDING_BYTES) };
    case 'e2e-share':
      return { type, share: fixedBytes(o, 'share', E2E_SHARE_BYTES) };
    case 'e2e-confirm':
      return { type, mac: fixedBytes(o, 'mac', E2E_MAC_BYTES) };
    case 'e2e-failed':
      return { type, reason: oneOf(o, 'reason', E2E_FAILURE_REASONS) };
    case 'introduce': {
      const name = str(o, 'name', MAX_NAME_LENGTH);
      const features = optFeatures(o);
      return features === undefined ? { type, name } : { type, name, features };
    }
    case 'cursor-shape':
      // Types and generous bounds only: the size and the pixels are decodeCursorImage's to
      // check, so that a bad shape is refused alone and does not end a sealed session.
      return {
        type, id: int(o, 'id', 0, UINT32_MAX),
        width: int(o, 'width', 0, MAX_COORDINATE), height: int(o, 'height', 0, MAX_COORDINATE),
        hotX: int(o, 'hotX', -MAX_COORDINATE, MAX_COORDINATE), hotY: int(o, 'hotY', -MAX_COORDINATE, MAX_COORDINATE),
        rgba: str(o, 'rgba', Math.ceil((MAX_SEALED_BOX_BYTES * 4) / 3)),
      };
    case 'cursor-pos':
      return {
        type, x: int(o, 'x', -MAX_COORDINATE, MAX_COORDINATE), y: int(o, 'y', -MAX_COORDINATE, MAX_COORDINATE),
        visible: bool(o, 'visible'), shape: int(o, 'shape', 0, UINT32_MAX),
      };
    case 'select-display':
      return { type, id: int(o, 'id', 0, 255) };
    case 'chat': {
      const text = str(o, 'text', MAX_CHAT_TEXT_LENGTH, 1);
      if (!isChatText(text)) fail('text: not well-formed Unicode');
      return { type, text };
    }
    case 'clipboard': {
      const text = str(o, 'text', MAX_CLIPBOARD_TEXT_LENGTH);
      if (LONE_SURROGATE.test(text)) fail('text: not well-formed Unicode');
      if (o.problem === undefined) return { type, text };
      if (text !== '') fail('text: a clipboard with a problem carries none');
      return { type, text, problem: oneOf(o, 'problem', CLIPBOARD_PROBLEMS) };
    }
    case 'clipboard-request':
      return { type, follow: bool(o, 'follow') };
    case 'recording-started':
    case 'recording-stopped':
      return { type };
    case 'file-offer': {
      const name = str(o, 'name', MAX_FILE_NAME_LENGTH, 1);
      if (LONE_SURROGATE.test(name)) fail('name: not well-formed Unicode');
      return { type, id: transferId(o), name, size: int(o, 'size', 0, MAX_FILE_SIZE) };
    }
    case 'file-request':
    case 'file-accept':
    case 'file-saved':
      return { type, id: transferId(o) };
    case 'file-decline':
      return { type, id: transferId(o), reason: oneOf(o, 'reason', FILE_DECLINE_REASONS) };
    case 'file-resume':
      return { type, id: transferId(o), offset: int(o, 'offset', 0, MAX_FILE_SIZE) };
    case 'file-ack':
      return { type, id: transferId(o), received: int(o, 'received', 0, MAX_FILE_SIZE) };
    case 'file-end':
      return { type, id: transferId(o), sha256: fixedBytes(o, 'sha256', 32) };
    case 'file-cancel':
      return { type, id: transferId(o), reason: oneOf(o, 'reason', FILE_CANCEL_REASONS) };
    case 'sealed':
      return { type, inner: oneOf(o, 'inner', SEALABLE_TYPES), n: int(o, 'n', 0, Number.MAX_SAFE_INTEGER), box: sealedBox(o, 'box') };
    case 'resume-token':
      return { type, token: fixedBytes(o, 'token', RESUME_TOKEN_BYTES), graceMs: int(o, 'graceMs', 0, MAX_DURATION_MS) };
    case 'resume':
      return { type, token: fixedBytes(o, 'token', RESUME_TOKEN_BYTES) };
    case 'resumed':
      return { type, sessionId: str(o, 'sessionId', 128, 1), viewOnly: bool(o, 'viewOnly'), peer: peerInfo(obj(o, 'peer')) };
    case 'peer-away':
      return { type, graceMs: int(o, 'graceMs', 0, MAX_DURATION_MS) };
    case 'peer-back':
      return { type };
    case 'ack':
      return { type, n: int(o, 'n', 0, Number.MAX_SAFE_INTEGER) };
    default:
      return fail('type: unknown message type');
  }
}

/** Decodes one text (JSON) message. */
export function decodeText(text: string): TextDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: Errors.PROTO_MALFORMED, detail: 'not JSON' };
  }
  if (!isObj(parsed)) return { ok: false, error: Errors.PROTO_MALFORMED, detail: 'not a JSON object' };
  const decoded = decodeObject(parsed);
  if (!decoded.ok) return decoded;
  // The decoder only ever leaves members out (values pass through as they are), so no
  // more members in the text than in the message means nothing was left out.
  const kept = membersUpTo(decoded.message, Number.POSITIVE_INFINITY);
  return { ok: true, message: decoded.message, exact: membersUpTo(parsed, kept + 1) === kept };
}

/**
 * Members of every object in a JSON value, counted all the way down, but no further than
 * `limit`: a peer may nest its extra members as deep as JSON.parse allows, and counting
 * must neither recurse that deep nor walk that far.
 */
function membersUpTo(value: unknown, limit: number): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && count < limit) {
    const v = pending.pop();
    if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (isObj(v)) {
      for (const key in v) {
        count++;
        pending.push(v[key]);
      }
    }
  }
  return count;
}

/** Validates an already-parsed object as a control message (used by the legacy shim). */
export function decodeObject(o: Obj): DecodeResult<ControlMessage> {
  try {
    return { ok: true, message: validateControl(o) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: Errors.PROTO_MALFORMED, detail: e.message };
    throw e;
  }
}

/** Decodes one binary message (FRAME or FRAME_ACK). */
export function decodeBinary(bytes: Uint8Array): DecodeResult<BinaryMessage> {
  if (bytes.byteLength < 1) return { ok: false, error: Errors.PROTO_MALFORMED, detail: 'too-short' };
  const kind = bytes[0];
  const result = kind === BinaryKind.FRAME ? parseFrame(bytes)
    : kind === BinaryKind.FRAME_ACK ? parseFrameAck(bytes)
      : kind === BinaryKind.FILE_CHUNK ? parseFileChunk(bytes)
        : 'unknown-kind';
  if (typeof result === 'string') return { ok: false, error: Errors.PROTO_MALFORMED, detail: result };
  return { ok: true, message: result };
}

/** Encodes a control message for the wire. */
export function encodeControl(message: ControlMessage): string {
  return JSON.stringify(message);
}

/** Parses a JSON object from untrusted text without validating its shape (legacy bodies). */
export function parseJsonObject(text: string): Obj | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
