import { PROTOCOL_VERSION, type ControlMessage, type ScreenInfoMessage, type SealedMessage } from '../../protocol';
import type { SessionTimers } from '../core/session/technician-session';
import { TechnicianSession } from '../core/session/technician-session';
import { FakeCustomer, testCrypto } from './fake-customer';
import { FakeSocket } from './fake-socket';

/**
 * The page's side of resume (PROTOCOL.md §14) against a fake socket: the test plays the
 * relay, a customer's app of version 2 runs the real handshake and record layer, and the
 * timers are the test's, so acknowledgements and retries happen when the test says.
 */
const WHOLE = '385621947';
const TOKEN = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const screen = (width: number): ScreenInfoMessage => ({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width, height: 48, primary: true }], streaming: 0 });

class ManualTimers implements SessionTimers {
  private readonly pending = new Map<number, () => void>();
  private next = 1;
  setTimeout(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Runs every timer due (the test's "later"). */
  runAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const fn of due) fn();
  }
}

function welcome(features?: string[]): ControlMessage {
  return { type: 'welcome', version: PROTOCOL_VERSION, heartbeatMs: 10_000, maxFrameBytes: 4_194_304, maxTextBytes: 65_536, ...(features ? { features } : {}) };
}

async function harness({ resumable = true } = {}) {
  const sockets: FakeSocket[] = [];
  const screens: number[] = [];
  const screenListeners = new Set<() => void>();
  const timers = new ManualTimers();
  const session = new TechnicianSession({
    url: 'ws://relay/ws', code: WHOLE, name: 'Ana (CompuEasys)', app: 'test', crypto: testCrypto, timers,
    createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s as unknown as WebSocket; },
  }, {
    onScreenInfo: (m) => {
      screens.push(m.displays[0]!.width);
      for (const fn of [...screenListeners]) fn();
    },
  });
  /** Resolves once `count` screen-infos were opened, or the session left `connected`. */
  const screensOrEnd = (count: number): Promise<void> => new Promise((resolve) => {
    const check = (): void => {
      if (screens.length < count && session.snapshot.state === 'connected') return;
      screenListeners.delete(check);
      off();
      resolve();
    };
    const off = session.machine.subscribe(check);
    screenListeners.add(check);
    check();
  });
  session.start();
  const socket = (): FakeSocket => sockets[sockets.length - 1]!;
  socket().open();
  socket().receive(welcome(['cursor', 'resume']));
  const customer = new FakeCustomer(socket(), WHOLE);
  socket().skipSent();
  await customer.agree();
  socket().receive({ type: 'waiting-consent', timeoutMs: 60_000 });
  await customer.open(); // the page's introduction
  await customer.send({ type: 'introduce', name: 'PC-RECEPCION' });
  if (resumable) socket().receive({ type: 'resume-token', token: TOKEN, graceMs: 30_000 });
  socket().receive({ type: 'paired', sessionId: 's1', viewOnly: false, peer: { name: '', legacy: false, wholeFramesOnly: false } });
  await new Promise<void>((resolve) => {
    if (session.snapshot.state === 'connected') return resolve();
    const off = session.machine.subscribe((s) => { if (s.state === 'connected') { off(); resolve(); } });
  });
  return { session, sockets, socket, screens, screensOrEnd, timers, customer };
}

describe('resume on the page (fake relay)', () => {
  it('a copy of a record already opened is dropped and the session goes on; a gap still ends it as tampered', async () => {
    const h = await harness();
    const first = await h.customer.seal(screen(100));
    h.socket().receive(first);
    h.socket().receive(first); // sent again after a resume: a copy
    await h.customer.send(screen(200));
    await h.screensOrEnd(2);
    expect(h.screens).toEqual([100, 200]);
    expect(h.session.snapshot.state).toBe('connected');
    await h.customer.seal(screen(300)); // never delivered: a gap
    await h.customer.send(screen(400));
    await h.screensOrEnd(3);
    expect(h.session.snapshot).toEqual({ state: 'verification-failed', reason: 'tampered' });
  });

  it('acknowledges after the delay; on the customer\'s return says how far it got and sends again, unchanged, what was not acknowledged', async () => {
    const h = await harness();
    await h.customer.send(screen(100));
    await h.screensOrEnd(1);
    h.socket().skipSent();
    h.timers.runAll();
    // The introduction (0) and the screen (1) are in: the next wanted is 2.
    expect(await h.socket().nextText('ack')).toEqual({ type: 'ack', n: 2 });
    h.socket().receive({ type: 'peer-away', graceMs: 30_000 });
    await new Promise((r) => setImmediate(r));
    expect(h.session.reconnecting).toBe('customer');
    expect(h.session.sendInput({ kind: 'text', text: 'a' })).toBe(true);
    expect(h.session.sendInput({ kind: 'text', text: 'b' })).toBe(true);
    const sentA = await h.socket().nextText('sealed');
    const sentB = await h.socket().nextText('sealed');
    h.socket().receive({ type: 'peer-back' });
    expect(await h.socket().nextText('ack')).toEqual({ type: 'ack', n: 2 });
    // Every record kept and not acknowledged: both inputs, as they were (the introduction went before pairing, and was not kept).
    const again: SealedMessage[] = [await h.socket().nextText('sealed'), await h.socket().nextText('sealed')];
    expect(again).toEqual([sentA, sentB]);
    expect(again.map((m) => m.n)).toEqual([1, 2]);
    expect(h.session.reconnecting).toBeUndefined();
    // Once acknowledged, nothing is sent again.
    h.socket().receive({ type: 'ack', n: sentB.n + 1 });
    h.socket().receive({ type: 'peer-back' });
    expect(await h.socket().nextText('ack')).toEqual({ type: 'ack', n: 2 });
    await new Promise((r) => setImmediate(r));
    expect(h.socket().texts.filter((m) => m.type === 'sealed')).toHaveLength(5);
  });

  it('its own socket drops: it resumes with the credential, then drops records ahead until the missing one and opens them in order', async () => {
    const h = await harness();
    const missed = await h.customer.seal(screen(100)); // on its way when the socket dropped
    const after = await h.customer.seal(screen(200));
    h.socket().drop(1006);
    await new Promise((r) => setImmediate(r));
    expect(h.session.reconnecting).toBe('technician');
    h.timers.runAll(); // the retry
    expect(h.sockets).toHaveLength(2);
    h.socket().open();
    h.socket().receive(welcome(['cursor', 'resume']));
    expect(await h.socket().nextText('hello')).toMatchObject({ features: ['resume'] });
    expect(await h.socket().nextText('resume')).toEqual({ type: 'resume', token: TOKEN });
    h.socket().receive({ type: 'resumed', sessionId: 's1', viewOnly: false, peer: { name: '', legacy: false, wholeFramesOnly: false } });
    h.socket().receive(after); // sent on the new socket before the customer's app learnt of our return: dropped
    h.socket().receive(missed);
    h.socket().receive(after);
    await h.screensOrEnd(2);
    expect(h.screens).toEqual([100, 200]);
    expect(h.session.snapshot).toMatchObject({ state: 'connected' });
    expect(h.session.reconnecting).toBeUndefined();
  });

  it('a relay that does not name resume on the new socket: the session is over, said plainly', async () => {
    const h = await harness();
    h.socket().drop(1006);
    await new Promise((r) => setImmediate(r));
    h.timers.runAll();
    h.socket().open();
    h.socket().receive(welcome(['cursor']));
    await new Promise((r) => setImmediate(r));
    expect(h.session.snapshot).toMatchObject({ state: 'ended', by: 'relay', errorCode: 'RS_ERR_RESUME_EXPIRED' });
    expect(h.socket().texts.some((m) => m.type === 'resume')).toBe(false);
  });

  it('without a credential the resume messages change nothing, and a drop is lost as before', async () => {
    const h = await harness({ resumable: false });
    h.socket().receive({ type: 'peer-away', graceMs: 30_000 });
    h.socket().receive({ type: 'resumed', sessionId: 's1', viewOnly: true, peer: { name: '', legacy: false, wholeFramesOnly: false } });
    await new Promise((r) => setImmediate(r));
    expect(h.session.snapshot).toMatchObject({ state: 'connected', viewOnly: false });
    expect(h.session.reconnecting).toBeUndefined();
    h.socket().drop(1006);
    await new Promise((r) => setImmediate(r));
    expect(h.session.snapshot.state).toBe('connection-lost');
  });
});
