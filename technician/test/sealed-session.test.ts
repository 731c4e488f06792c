import {
  CloseCode, encodeBase64Url, encodeFrame, Errors, FrameFlag, ImageFormat, PROTOCOL_VERSION,
  type FrameHeader, type ScreenInfoMessage,
} from '../../protocol';
import type { SessionSnapshot, SessionStateName } from '../core/session/session-state';
import { TechnicianSession } from '../core/session/technician-session';
import { FakeCustomer, testCrypto } from './fake-customer';
import { FakeSocket } from './fake-socket';

/**
 * The page's side of end-to-end encryption (PROTOCOL.md §12) against a fake socket: the
 * test plays the relay, and a customer's app of version 2 runs the real handshake and
 * record layer in memory. The browser tests (test/browser/) do the same through a real
 * relay and Chromium.
 */
const ROUTING = '385621';
const WHOLE = '385621947';
const PHRASE = 'Útil: año, cigüeña, ¿qué? ¡ya! 5 € ß';
const SCREEN_INFO: ScreenInfoMessage = { type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 64, height: 48, primary: true }], streaming: 0 };

function header(seq: number): FrameHeader {
  return {
    flags: FrameFlag.FULL | FrameFlag.LAST, seq, captureTimeMs: 1_700_000_000_000 + seq, displayId: 0, format: ImageFormat.JPEG,
    rectIndex: 0, x: 0, y: 0, width: 64, height: 48, screenWidth: 64, screenHeight: 48,
  };
}
const frame = (seq: number): Uint8Array => encodeFrame(header(seq), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, seq]));

function harness(code = WHOLE, crypto = testCrypto) {
  const sockets: FakeSocket[] = [];
  const frames: number[] = [];
  const screens: ScreenInfoMessage[] = [];
  /** The customer's pointer as the page was told it: shapes, positions and refusals, in order. */
  const cursor: string[] = [];
  const cursorListeners = new Set<() => void>();
  const noteCursor = (what: string): void => {
    cursor.push(what);
    for (const fn of [...cursorListeners]) fn();
  };
  /** Resolves once `count` cursor events came. */
  const cursorEvents = (count: number): Promise<string[]> => new Promise((resolve) => {
    const check = (): void => {
      if (cursor.length < count) return;
      cursorListeners.delete(check);
      resolve(cursor.slice());
    };
    cursorListeners.add(check);
    check();
  });
  const frameListeners = new Set<() => void>();
  const session = new TechnicianSession({
    url: 'ws://relay/ws', code, name: 'Ana (CompuEasys)', app: 'test', crypto,
    createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s as unknown as WebSocket; },
  }, {
    onFrame: (f) => {
      frames.push(f.header.seq);
      for (const fn of [...frameListeners]) fn();
    },
    onScreenInfo: (m) => screens.push(m),
    onCursorShape: (image) => noteCursor(`shape ${image.id} ${image.width}×${image.height} hot ${image.hotX},${image.hotY} ${image.rgba.length} bytes`),
    onCursorPos: (m) => noteCursor(`pos ${m.x},${m.y} ${m.visible ? 'shown' : 'hidden'} shape ${m.shape}`),
    onCursorRefused: (detail) => noteCursor(`refused: ${detail}`),
  });
  /** Resolves once `count` frames were handed on, or the session ended (a refused one): an event either way. */
  const framesOrEnd = (count: number): Promise<void> => new Promise((resolve) => {
    const check = (): void => {
      if (frames.length < count && session.snapshot.state === 'connected') return;
      frameListeners.delete(check);
      off();
      resolve();
    };
    const off = session.machine.subscribe(check);
    frameListeners.add(check);
    check();
  });
  session.start();
  const socket = (): FakeSocket => sockets[0]!;
  if (sockets.length > 0) {
    socket().open();
    socket().receive({ type: 'welcome', version: PROTOCOL_VERSION, heartbeatMs: 10_000, maxFrameBytes: 4_194_304, maxTextBytes: 65_536 });
  }
  return { session, sockets, socket, frames, screens, framesOrEnd, cursorEvents };
}

/** Resolves when the session reaches `state` (at once if it is there): waits for the event, never for time. */
function reached(session: TechnicianSession, state: SessionStateName): Promise<SessionSnapshot> {
  if (session.snapshot.state === state) return Promise.resolve(session.snapshot);
  return new Promise((resolve) => {
    const off = session.machine.subscribe((s) => {
      if (s.state !== state) return;
      off();
      resolve(s);
    });
  });
}

/** A sealed session the customer accepted: agreement, both introductions, `paired`. */
async function pairedSealed(h: ReturnType<typeof harness>): Promise<FakeCustomer> {
  const customer = new FakeCustomer(h.socket(), WHOLE);
  h.socket().skipSent(); // hello and join
  await customer.agree();
  // The relay asks the customer as it passes the client's confirmation on; it does not wait
  // for the page, which is still checking that confirmation.
  h.socket().receive({ type: 'waiting-consent', timeoutMs: 60_000 });
  expect(await customer.open()).toEqual({ type: 'introduce', name: 'Ana (CompuEasys)', features: ['cursor', 'displays', 'chat', 'clipboard', 'recording', 'scaled-frames'] });
  await customer.send({ type: 'introduce', name: 'PC-RECEPCION' });
  h.socket().receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: '', legacy: false, wholeFramesOnly: false } });
  await reached(h.session, 'connected');
  return customer;
}

describe('a sealed session on the page', () => {
  it('joins with the six routing digits and no name, agrees on keys, and introduces itself only sealed', async () => {
    const h = harness();
    expect(h.socket().texts).toEqual([
      { type: 'hello', version: PROTOCOL_VERSION, role: 'technician', app: 'test', features: ['resume'] },
      { type: 'join', code: ROUTING, name: '' },
    ]);
    const customer = await pairedSealed(h);
    expect(h.session.snapshot).toEqual({ state: 'connected', viewOnly: false, peerName: 'PC-RECEPCION', encrypted: true });
    // Everything after the join went in the agreement's messages or sealed: the name never in clear.
    expect(h.socket().texts.slice(2).map((m) => m.type)).toEqual(['e2e-share', 'e2e-confirm', 'sealed']);
    expect(h.socket().sent.filter((d) => typeof d === 'string' && d.includes('Ana'))).toEqual([]);
    expect(customer.wholeCode).toBe(WHOLE);
  });

  it('shows the waiting state as encrypted only after the customer\'s confirmation verified', async () => {
    const h = harness();
    const states: SessionSnapshot[] = [];
    h.session.machine.subscribe((s) => states.push(s));
    await pairedSealed(h);
    expect(states.map((s) => s.state)).toEqual(['waiting-consent', 'connected']);
    expect(states[0]).toEqual({ state: 'waiting-consent', timeoutMs: 60_000, encrypted: true });
  });

  it('seals input (the phrase exactly), quality, refresh and acknowledgements', async () => {
    const h = harness();
    const customer = await pairedSealed(h);
    h.socket().skipSent();
    expect(h.session.sendInput({ kind: 'click', button: 'left', x: 812, y: 440 })).toBe(true);
    expect(h.session.sendInput({ kind: 'text', text: PHRASE })).toBe(true);
    expect(h.session.setQuality({ mode: 'fixed', value: 50 })).toBe(true);
    expect(h.session.requestRefresh()).toBe(true);
    expect(h.session.selectDisplay(2)).toBe(true);
    expect(h.session.acknowledge(7, 1_700_000_000_007)).toBe(true);
    expect(await customer.open()).toEqual({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 812, y: 440 } });
    expect(await customer.open()).toEqual({ type: 'input', seq: 1, event: { kind: 'text', text: PHRASE } });
    expect(await customer.open()).toEqual({ type: 'quality', mode: 'fixed', value: 50 });
    expect(await customer.open()).toEqual({ type: 'refresh', reason: 'requested' });
    expect(await customer.open()).toEqual({ type: 'select-display', id: 2 });
    expect(await customer.openAck()).toEqual({ kind: 'frame-ack', seq: 7, captureTimeMs: 1_700_000_000_007 });
    // On the wire: five sealed text records and a sealed binary one; none of it readable.
    expect(h.socket().texts.slice(-5).map((m) => (m.type === 'sealed' ? m.inner : m.type))).toEqual(['input', 'input', 'quality', 'refresh', 'select-display']);
    expect(h.socket().sent.some((d) => typeof d === 'string' && (d.includes('cigüeña') || d.includes('812')))).toBe(false);
  });

  it('opens the customer\'s pointer, and drops a shape too big or malformed alone, the session going on', async () => {
    const h = harness();
    const customer = await pairedSealed(h);
    const rgba = (bytes: number): string => encodeBase64Url(new Uint8Array(bytes).fill(200));
    await customer.send({ type: 'cursor-shape', id: 7, width: 16, height: 24, hotX: 1, hotY: 2, rgba: rgba(16 * 24 * 4) });
    await customer.send({ type: 'cursor-pos', x: 300, y: 200, visible: true, shape: 7 });
    await customer.send({ type: 'cursor-shape', id: 8, width: 65, height: 65, hotX: 0, hotY: 0, rgba: rgba(65 * 65 * 4) });
    await customer.send({ type: 'cursor-shape', id: 9, width: 4, height: 4, hotX: 0, hotY: 0, rgba: rgba(10) });
    await customer.send({ type: 'cursor-pos', x: 301, y: 200, visible: false, shape: 7 });
    expect(await h.cursorEvents(5)).toEqual([
      'shape 7 16×24 hot 1,2 1536 bytes',
      'pos 300,200 shown shape 7',
      'refused: cursor shape 8: 65×65 is larger than 64×64',
      'refused: cursor shape 9: 10 bytes of pixels, expected 64',
      'pos 301,200 hidden shape 7',
    ]);
    expect(h.session.snapshot.state).toBe('connected');
  });

  it('opens sealed screen information and frames, accepting gaps the relay left by dropping frames', async () => {
    const h = harness();
    const customer = await pairedSealed(h);
    await customer.send(SCREEN_INFO);
    const [first, dropped, third] = [await customer.sealBinary(frame(1)), await customer.sealBinary(frame(2)), await customer.sealBinary(frame(3))];
    expect(dropped[1]! & FrameFlag.SEALED).toBe(FrameFlag.SEALED);
    h.socket().receiveBinary(first);
    h.socket().receiveBinary(third); // the relay dropped frame 2 (latest wins, §8)
    await h.framesOrEnd(2);
    expect(h.screens).toEqual([SCREEN_INFO]);
    expect(h.frames).toEqual([1, 3]);
    expect(h.session.snapshot.state).toBe('connected');
  });

  it('a frame with one flipped bit ends the session as tampered, and tells the relay', async () => {
    const h = harness();
    const customer = await pairedSealed(h);
    const sealed = await customer.sealBinary(frame(1));
    sealed[30] = sealed[30]! ^ 0x01; // inside the encrypted header
    h.socket().skipSent();
    h.socket().receiveBinary(sealed);
    expect(await h.socket().nextText('e2e-failed')).toEqual({ type: 'e2e-failed', reason: 'tampered' });
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(h.frames).toEqual([]);
    expect(h.socket().closedWith).toBe(1000);
    expect(h.session.sendInput({ kind: 'text', text: 'x' })).toBe(false);
  });

  it('a replayed frame, or a replayed sealed message, is refused the same way', async () => {
    const h = harness();
    const customer = await pairedSealed(h);
    const sealed = await customer.sealBinary(frame(1));
    h.socket().receiveBinary(sealed);
    h.socket().receiveBinary(sealed);
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(h.frames).toEqual([1]);

    const h2 = harness();
    const customer2 = await pairedSealed(h2);
    const info = await customer2.seal(SCREEN_INFO);
    h2.socket().receive(info);
    h2.socket().receive(info);
    expect(await reached(h2.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(h2.screens).toHaveLength(1);
  });

  it('a peer message in clear in a sealed session can only be the relay\'s: tampered', async () => {
    const h = harness();
    await pairedSealed(h);
    h.socket().receive(SCREEN_INFO);
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(h.screens).toEqual([]);

    const h2 = harness();
    await pairedSealed(h2);
    h2.socket().receiveBinary(frame(1));
    expect(await reached(h2.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(h2.frames).toEqual([]);
  });

  it('a confirmation that does not verify (someone in the middle) is refused by the page\'s own check', async () => {
    const h = harness();
    const customer = new FakeCustomer(h.socket(), WHOLE);
    h.socket().skipSent();
    await customer.startAndShare();
    // A relay that ran its own agreement cannot make the tag the code's owner would.
    h.socket().receive({ type: 'e2e-confirm', mac: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' });
    h.socket().receive({ type: 'waiting-consent', timeoutMs: 60_000 });
    expect(await h.socket().nextText('e2e-failed')).toEqual({ type: 'e2e-failed', reason: 'mismatch' });
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'mismatch' });
    expect(h.socket().texts.filter((m) => m.type === 'sealed')).toEqual([]); // nothing sealed for an unverified side
  });

  it('a relay that skips to asking the customer before both sides confirmed is refused', async () => {
    const h = harness();
    const customer = new FakeCustomer(h.socket(), WHOLE);
    h.socket().skipSent();
    await customer.startAndShare();
    h.socket().receive({ type: 'waiting-consent', timeoutMs: 60_000 });
    expect(await h.socket().nextText('e2e-failed')).toEqual({ type: 'e2e-failed', reason: 'mismatch' });
    expect(h.session.snapshot).toEqual({ state: 'verification-failed', reason: 'mismatch' });
  });

  it('the customer\'s app refusing our confirmation (a wrong secret digit) shows the verification failure', async () => {
    const h = harness('385621948');
    const customer = new FakeCustomer(h.socket(), WHOLE);
    h.socket().skipSent();
    await customer.startAndShare();
    // The customer's app sent e2e-failed; the relay turns the technician away.
    h.socket().receive({ type: 'error', code: Errors.E2E_FAILED.code, message: '' });
    h.socket().drop(CloseCode.E2E_FAILED);
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'mismatch' });
  });

  it('six digits typed where the customer\'s app seals: incomplete-code, nothing agreed', async () => {
    const h = harness(ROUTING);
    expect(h.socket().texts[1]).toEqual({ type: 'join', code: ROUTING, name: 'Ana (CompuEasys)' });
    h.socket().skipSent();
    h.socket().receive({ type: 'e2e-start', binding: 'AAECAwQFBgcICQoLDA0ODw' });
    expect(await h.socket().nextText('e2e-failed')).toEqual({ type: 'e2e-failed', reason: 'incomplete-code' });
    expect(h.session.snapshot).toEqual({ state: 'verification-failed', reason: 'incomplete-code' });
    expect(h.socket().texts.filter((m) => m.type === 'e2e-share')).toEqual([]);
    expect(h.socket().closedWith).toBe(1000);
  });

  it('a long code and a session in clear (the relay says the customer\'s app is older) is refused', async () => {
    for (const answer of ['waiting-consent', 'paired'] as const) {
      const h = harness();
      h.socket().skipSent();
      h.socket().receive(answer === 'waiting-consent'
        ? { type: 'waiting-consent', timeoutMs: 60_000 }
        : { type: 'paired', sessionId: 's', viewOnly: false, peer: { name: 'OLD', legacy: true, wholeFramesOnly: true } });
      expect(await h.socket().nextText('bye')).toEqual({ type: 'bye', reason: 'not end-to-end encrypted' });
      expect([answer, h.session.snapshot]).toEqual([answer, { state: 'verification-failed', reason: 'unsealed' }]);
    }
  });

  it('a page without WebCrypto refuses a code that must seal before it joins', () => {
    const h = harness(WHOLE, () => { throw new Error('no crypto.subtle'); });
    expect(h.sockets).toHaveLength(0);
    expect(h.session.snapshot).toEqual({ state: 'verification-failed', reason: 'unavailable' });
    // A six-digit code needs no WebCrypto until an agreement starts.
    const plain = harness(ROUTING, () => { throw new Error('no crypto.subtle'); });
    expect(plain.sockets).toHaveLength(1);
  });

  it('after the keys verified, a relay error ending the session is read as tampering found by the customer\'s app', async () => {
    const h = harness();
    await pairedSealed(h);
    h.socket().receive({ type: 'error', code: Errors.E2E_FAILED.code, message: '' });
    h.socket().drop(CloseCode.E2E_FAILED);
    expect(await reached(h.session, 'verification-failed')).toEqual({ state: 'verification-failed', reason: 'tampered' });
  });
});
