import type { ControlMessage, ControlType } from '../messages';
import type { InputEvent, InputKind } from '../input';
import { FrameFlag, ImageFormat, type FrameHeader } from '../frame';

/** One or more valid examples of every input event kind (optional members both ways). */
export const INPUT_SAMPLES: readonly InputEvent[] = [
  { kind: 'pointer-move', x: 0, y: 0 },
  { kind: 'pointer-move', x: 65535, y: 1080, display: 2 },
  { kind: 'button-down', button: 'left', x: 10, y: 20 },
  { kind: 'button-up', button: 'middle', x: 10, y: 20, display: 0 },
  { kind: 'click', button: 'right', x: 5, y: 6 },
  { kind: 'double-click', button: 'left', x: 640, y: 360, display: 255 },
  { kind: 'wheel', x: 640, y: 360, dx: 0, dy: 3 },
  { kind: 'wheel', x: 1, y: 2, dx: -100, dy: 100, display: 1 },
  { kind: 'key-down', code: 'KeyC', key: 'c', modifiers: { ctrl: true, alt: false, shift: false, meta: false } },
  { kind: 'key-up', code: 'Semicolon', key: 'ñ', modifiers: { ctrl: false, alt: true, shift: true, meta: true } },
  { kind: 'key-down', code: 'Quote', key: 'Dead', modifiers: { ctrl: false, alt: false, shift: false, meta: false } },
  { kind: 'text', text: 'Hola mundo ñ 123 😀 "quoted" \\ \n\t' },
  { kind: 'text', text: 'x'.repeat(4096) },
];

/** One or more valid examples of every control message type. */
export const CONTROL_SAMPLES: readonly ControlMessage[] = [
  { type: 'hello', version: 1, role: 'client' },
  { type: 'hello', version: 1, role: 'technician', app: 'CompuEasys Technician 0.1.0' },
  { type: 'welcome', version: 1, heartbeatMs: 15000, maxFrameBytes: 4 * 1024 * 1024, maxTextBytes: 64 * 1024 },
  { type: 'welcome', version: 2, heartbeatMs: 15000, maxFrameBytes: 4 * 1024 * 1024, maxTextBytes: 64 * 1024, features: ['cursor'] },
  { type: 'register', name: 'RECEPCIÓN-PC' },
  { type: 'register', name: '' },
  { type: 'code', code: '004217', expiresAt: 1700000600000, ttlMs: 600000 },
  { type: 'join', code: '482913', name: 'Ana (CompuEasys)' },
  { type: 'waiting-consent', timeoutMs: 60000 },
  { type: 'consent-request', technicianName: 'Ana (CompuEasys)', timeoutMs: 60000 },
  { type: 'consent', granted: true, viewOnly: false },
  { type: 'consent', granted: false, viewOnly: true },
  { type: 'paired', sessionId: 's-7f3a9c', viewOnly: false, peer: { name: 'RECEPCION-PC', legacy: false, wholeFramesOnly: false } },
  { type: 'paired', sessionId: 'x'.repeat(128), viewOnly: true, peer: { name: 'old client', legacy: true, wholeFramesOnly: true } },
  { type: 'peer-left', reason: 'bye' },
  { type: 'peer-left', reason: 'closed' },
  { type: 'peer-left', reason: 'timeout' },
  { type: 'peer-left', reason: 'stopped' },
  { type: 'peer-left', reason: 'error' },
  { type: 'error', code: 'RS_ERR_CODE_INVALID', message: 'The access code is not valid. Check it and try again.' },
  { type: 'bye' },
  { type: 'bye', reason: 'customer clicked Stop' },
  ...INPUT_SAMPLES.map((event, i): ControlMessage => ({ type: 'input', seq: i === 0 ? 0xffffffff : i, event })),
  {
    type: 'screen-info',
    displays: [
      { id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true },
      { id: 1, x: -1280, y: -24, width: 1280, height: 1024, primary: false },
    ],
    streaming: 0,
  },
  { type: 'refresh', reason: 'requested' },
  { type: 'refresh', reason: 'dropped' },
  { type: 'refresh', reason: 'joined' },
  { type: 'quality', mode: 'auto' },
  { type: 'quality', mode: 'fixed', value: 1 },
  { type: 'quality', mode: 'fixed', value: 100 },
  { type: 'e2e-start', binding: 'AAECAwQFBgcICQoLDA0ODw' },
  { type: 'e2e-share', share: '1rrEgPLDhsOU78fEetuZJdzSYwtk8kDFD40O7EgrkVc' },
  { type: 'e2e-confirm', mac: '__________________________________________8' },
  { type: 'e2e-failed', reason: 'mismatch' },
  { type: 'e2e-failed', reason: 'incomplete-code' },
  { type: 'e2e-failed', reason: 'tampered' },
  { type: 'introduce', name: 'Ana (CompuEasys)' },
  { type: 'introduce', name: '' },
  { type: 'introduce', name: 'Ana', features: ['cursor', 'something-newer'] },
  { type: 'cursor-shape', id: 4_000_000_000, width: 2, height: 1, hotX: 0, hotY: 0, rgba: 'AAAA_wD_AP8' },
  { type: 'cursor-pos', x: 1919, y: 0, visible: true, shape: 7 },
  { type: 'cursor-pos', x: -3, y: 12, visible: false, shape: 0 },
  { type: 'consent-request', technicianName: '', timeoutMs: 60000, verifiedName: 'Ana López (CompuEasys)' },
  { type: 'select-display', id: 2 },
  { type: 'chat', text: '¿Reinicio el equipo? Sí, ahora 👍\nLínea dos' },
  { type: 'clipboard', text: 'año, €, ñ' },
  { type: 'clipboard', text: '', problem: 'too-long' },
  { type: 'clipboard-request', follow: true },
  { type: 'recording-started' },
  { type: 'recording-stopped' },
  { type: 'file-offer', id: 1, name: '../../informe año.pdf', size: 52_428_800 },
  { type: 'file-offer', id: 2147483647, name: 'CON', size: 0 },
  { type: 'file-request', id: 3 },
  { type: 'file-accept', id: 1 },
  { type: 'file-decline', id: 1, reason: 'too-large' },
  { type: 'file-resume', id: 1, offset: 1_048_576 },
  { type: 'file-ack', id: 1, received: 262144 },
  { type: 'file-end', id: 1, sha256: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' },
  { type: 'file-saved', id: 1 },
  { type: 'file-cancel', id: 1, reason: 'corrupt' },
  { type: 'welcome', version: 2, heartbeatMs: 10000, maxFrameBytes: 4194304, maxTextBytes: 65536, maxFileBytes: 4294967296, features: ['files'] },
  { type: 'hello', version: 2, role: 'client', features: ['resume'] },
  { type: 'resume-token', token: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8', graceMs: 30000 },
  { type: 'resume', token: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' },
  { type: 'resumed', sessionId: 's-7f3a9c', viewOnly: true, peer: { name: '', legacy: false, wholeFramesOnly: false } },
  { type: 'peer-away', graceMs: 30000 },
  { type: 'peer-back' },
  { type: 'ack', n: 0 },
  { type: 'ack', n: 9007199254740991 },
  { type: 'sealed', inner: 'input', n: 0, box: 'AAECAwQFBgcICQoLDA0ODxA' },
  { type: 'sealed', inner: 'screen-info', n: Number.MAX_SAFE_INTEGER, box: 'AAECAwQFBgcICQoLDA0ODxAR' },
];

export function coveredTypes(): Set<ControlType> {
  return new Set(CONTROL_SAMPLES.map((m) => m.type));
}

export function coveredKinds(): Set<InputKind> {
  return new Set(INPUT_SAMPLES.map((e) => e.kind));
}

/** A valid frame header with values in every field, for golden bytes and mutations. */
export const SAMPLE_HEADER: FrameHeader = Object.freeze({
  flags: FrameFlag.LAST,
  seq: 0x01020304,
  captureTimeMs: 1700000000123.5,
  displayId: 1,
  format: ImageFormat.PNG,
  rectIndex: 3,
  x: 100,
  y: 200,
  width: 64,
  height: 32,
  screenWidth: 1280,
  screenHeight: 720,
});

/** mulberry32: a small seeded PRNG, so a fuzz failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
