import { decodeBinary, encodeFrame, FrameFlag, ImageFormat, PROTOCOL_VERSION } from '../../protocol';
import type { SessionSnapshot } from '../core/session/session-state';
import { TechnicianSession, type SessionTimers } from '../core/session/technician-session';
import { FakeSocket } from './fake-socket';

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const fakeTimers: SessionTimers = {
    setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length - 1; },
    clearTimeout: (h) => { timers[h as number] = { fn: () => undefined, ms: -1 }; },
  };
  const frames: number[] = [];
  const states: SessionSnapshot[] = [];
  let refused = 0;
  const session = new TechnicianSession({
    url: 'ws://relay/ws', code: '385621', name: 'Ana', app: 'test',
    createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s as unknown as WebSocket; },
    timers: fakeTimers,
    random: () => 0.5,
  }, { onFrame: (f) => frames.push(f.header.seq), onInputRefused: () => { refused++; } });
  session.machine.subscribe((s) => states.push(s));
  return { session, sockets, timers, frames, states, refusedCount: () => refused, last: () => sockets[sockets.length - 1]! };
}

function join(h: ReturnType<typeof harness>): FakeSocket {
  const s = h.last();
  s.open();
  s.receive({ type: 'welcome', version: 1, heartbeatMs: 10_000, maxFrameBytes: 4_194_304, maxTextBytes: 65_536 });
  return s;
}

describe('technician session', () => {
  it('says hello, joins with a six-digit code and the name, and follows the relay to a session in clear', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    expect(s.binaryType).toBe('arraybuffer');
    expect(s.texts).toEqual([
      { type: 'hello', version: PROTOCOL_VERSION, role: 'technician', app: 'test', features: ['resume'] },
      { type: 'join', code: '385621', name: 'Ana' },
    ]);
    s.receive({ type: 'waiting-consent', timeoutMs: 60_000 });
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: 'PC-1', legacy: false, wholeFramesOnly: false } });
    expect(h.states.map((x) => x.state)).toEqual(['connecting', 'waiting-consent', 'connected']);
    // An older customer's app: no agreement, so the page says plainly that it is not encrypted.
    expect(h.states[1]).toEqual({ state: 'waiting-consent', timeoutMs: 60_000, encrypted: false });
    expect(h.session.snapshot).toEqual({ state: 'connected', viewOnly: false, peerName: 'PC-1', encrypted: false });
  });

  it('numbers input from 0, passes frames on, and acknowledges with the capture time', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: 'PC', legacy: true, wholeFramesOnly: true } });
    expect(h.session.sendInput({ kind: 'click', button: 'left', x: 1, y: 2 })).toBe(true);
    expect(h.session.sendInput({ kind: 'text', text: 'ñ' })).toBe(true);
    const inputs = s.texts.filter((m) => m.type === 'input');
    expect(inputs.map((m) => m.type === 'input' && m.seq)).toEqual([0, 1]);
    s.receiveBinary(encodeFrame({ flags: FrameFlag.FULL | FrameFlag.LAST, seq: 42, captureTimeMs: 1234.5, displayId: 0, format: ImageFormat.JPEG,
      rectIndex: 0, x: 0, y: 0, width: 4, height: 4, screenWidth: 4, screenHeight: 4 }, new Uint8Array([0xff, 0xd8, 0xff])));
    expect(h.frames).toEqual([42]);
    h.session.acknowledge(42, 1234.5);
    const ack = s.sent.find((d): d is Uint8Array => d instanceof Uint8Array)!;
    expect(decodeBinary(ack)).toEqual({ ok: true, message: { kind: 'frame-ack', seq: 42, captureTimeMs: 1234.5 } });
  });

  it('never asks for another display in clear (only a sealed session lists several)', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: 'PC', legacy: false, wholeFramesOnly: false } });
    const before = s.sent.length;
    expect(h.session.selectDisplay(1)).toBe(false);
    expect(s.sent.length).toBe(before);
  });

  it('sends no input in a view-only session and reports the relay\'s refusal', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: true, peer: { name: 'PC', legacy: false, wholeFramesOnly: false } });
    expect(h.session.canSendInput).toBe(false);
    expect(h.session.sendInput({ kind: 'text', text: 'x' })).toBe(false);
    s.receive({ type: 'error', code: 'RS_ERR_SESSION_VIEW_ONLY', message: 'view only' });
    expect(h.refusedCount()).toBe(1);
    expect(h.session.snapshot.state).toBe('connected');
  });

  it('retries with back-off while joining, and connects on a later attempt', () => {
    const h = harness();
    h.session.start();
    h.last().drop(1006); // relay unreachable
    expect(h.session.snapshot).toEqual({ state: 'connection-lost', retryInMs: 500, attempt: 2 });
    h.timers[0]!.fn();
    expect(h.session.snapshot).toEqual({ state: 'connecting', attempt: 2 });
    expect(h.sockets).toHaveLength(2);
    const s = join(h);
    s.receive({ type: 'waiting-consent', timeoutMs: 1000 });
    expect(h.session.snapshot.state).toBe('waiting-consent');
  });

  it('gives up after the last retry', () => {
    const h = harness();
    h.session.start();
    for (let i = 0; i < 5; i++) {
      h.last().drop(1006);
      h.timers[i]!.fn();
    }
    h.last().drop(1006);
    expect(h.session.snapshot).toEqual({ state: 'connection-lost' });
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('does not retry once the code is spent (waiting for consent or connected)', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'waiting-consent', timeoutMs: 1000 });
    s.drop(1006);
    expect(h.session.snapshot).toEqual({ state: 'connection-lost' });
    expect(h.timers).toHaveLength(0);
  });

  it('ends on peer-left at once, before the socket closes', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: 'PC', legacy: false, wholeFramesOnly: false } });
    s.receive({ type: 'peer-left', reason: 'bye' });
    expect(h.session.snapshot).toEqual({ state: 'ended', by: 'customer', reason: 'bye' });
    expect(h.session.sendInput({ kind: 'text', text: 'late' })).toBe(false);
    s.drop(4008);
    expect(h.session.snapshot.state).toBe('ended');
  });

  it('shows invalid code, too many attempts and declined from the relay\'s error', () => {
    for (const [code, close, state] of [['RS_ERR_CODE_INVALID', 4006, 'invalid-code'], ['RS_ERR_CODE_ATTEMPTS', 4005, 'too-many-attempts'],
      ['RS_ERR_CONSENT_DENIED', 4007, 'declined']] as const) {
      const h = harness();
      h.session.start();
      const s = join(h);
      if (state === 'declined') s.receive({ type: 'waiting-consent', timeoutMs: 1000 });
      s.receive({ type: 'error', code, message: '' });
      s.drop(close);
      expect(h.session.snapshot.state).toBe(state);
    }
  });

  it('still reaches a final state when the relay answers out of the usual order', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'error', code: 'RS_ERR_CONSENT_DENIED', message: '' });
    s.drop(4007); // a refusal without waiting-consent first
    expect(h.session.snapshot.state).toBe('ended');
  });

  it('says bye on disconnect: ended when connected, back to idle when cancelling', () => {
    const h = harness();
    h.session.start();
    const s = join(h);
    s.receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: 'PC', legacy: false, wholeFramesOnly: false } });
    h.session.disconnect();
    expect(s.texts.at(-1)).toEqual({ type: 'bye', reason: 'technician disconnected' });
    expect(s.closedWith).toBe(1000);
    expect(h.session.snapshot).toEqual({ state: 'ended', by: 'technician' });

    const c = harness();
    c.session.start();
    const s2 = join(c);
    s2.receive({ type: 'waiting-consent', timeoutMs: 1000 });
    c.session.disconnect();
    expect(s2.texts.at(-1)).toEqual({ type: 'bye', reason: 'technician cancelled' });
    expect(c.session.snapshot).toEqual({ state: 'idle' });
  });

  it('cancelling during a retry wait clears the timer', () => {
    const h = harness();
    h.session.start();
    h.last().drop(1006);
    h.session.disconnect();
    expect(h.session.snapshot).toEqual({ state: 'idle' });
    expect(h.timers[0]!.ms).toBe(-1);
  });
});
