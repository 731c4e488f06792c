import { WebSocketServer } from 'ws';
import { encodeFrameAck, Errors, FrameFlag, PROTOCOL_VERSION, type ControlMessage, type FrameHeader } from '../../protocol';
import { createAgent, type Agent } from '../../client/agent';
import type { BackoffOptions } from '../../common/backoff';
import type { ConsentAnswer } from '../../client/contract/ui-events';
import type { CursorShape, CursorSource, PointerPosition } from '../../client/capture/cursor-source';
import type { MonitorLister } from '../../client/capture/monitors';
import { ClipboardTooLong, type SystemClipboard } from '../../client/clipboard/clipboard';
import type { ChatHooks } from '../../client/session/client-session';
import type { AgentState } from '../../client/session/session-state';
import type { FakeScreenSource } from '../../client/test/support/fake-screen-source';
import { ManualClock } from '../../relay/clock';
import type { Relay } from '../../relay/server';
import { untilAgentHasRead } from '../support/agent-barrier';
import { startFeatureFilter } from '../support/feature-filter';
import { fakeHardware, type RecordingSink } from '../support/fake-hardware';
import { eventually, startTestRelay } from '../support/relay-harness';
import { joinSealed, TechnicianNotVerified } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';
import { routingPart } from '../../common/access-code';

const M = { ctrl: false, alt: false, shift: false, meta: false };

interface Harness {
  agent: Agent;
  states: AgentState[];
  screen: FakeScreenSource;
  sink: RecordingSink;
  waitFor(kind: AgentState['kind']): Promise<AgentState>;
}

async function startAgent(relayUrl: string, answer: ConsentAnswer = 'control', extra: { renewExpiredCode?: boolean; backoff?: BackoffOptions; requireEndToEnd?: boolean; secretDigits?: number; cursor?: CursorSource; monitors?: MonitorLister; chat?: ChatHooks; clipboard?: SystemClipboard; onRecording?: (recording: boolean) => void } = {}): Promise<Harness> {
  const states: AgentState[] = [];
  const { screen, sink, deps } = fakeHardware(relayUrl);
  const agent = await createAgent({
    ...deps, consent: async () => answer,
    onState: (s) => states.push(s),
    backoff: { initialDelayMs: 20, maxDelayMs: 200, factor: 2, jitter: 0 },
    streamer: { minFrameIntervalMs: 5, maxIdleIntervalMs: 10 },
    ...extra,
  });
  const waitFor = async (kind: AgentState['kind']): Promise<AgentState> => {
    const seen = states.length;
    await eventually(() => states.slice(seen - 1).some((s) => s.kind === kind) || agent.session.current.kind === kind, 5000, `agent state ${kind}`);
    return agent.session.current;
  };
  agent.session.connect();
  return { agent, states, screen, sink, waitFor };
}

async function codeOf(h: Harness): Promise<string> {
  await eventually(() => h.agent.session.current.kind === 'code', 5000, 'a code');
  const s = h.agent.session.current;
  if (s.kind !== 'code') throw new Error('no code');
  return s.code;
}

/** A technician of this version (as the page): the whole code, keys agreed, everything after sealed. */
async function joinAsTechnician(relay: Relay, code: string): Promise<WsTestPeer> {
  const { tech, customerName } = await joinSealed(relay.wsUrl, code);
  expect(customerName).toBe('PC-MARIA');
  return tech;
}

/** A technician of protocol version 1 (an older app, or a relay pretending to be one): in clear. */
async function joinUnsealed(relay: Relay, code: string): Promise<WsTestPeer> {
  const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
  tech.sendJson({ type: 'join', code: routingPart(code), name: 'Juan (CompuEasys)' });
  await tech.next('waiting-consent');
  return tech;
}

describe('the client agent against a real relay (screen and input faked)', () => {
  let relay: Relay;
  let harness: Harness | undefined;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    await harness?.agent.close();
    harness = undefined;
    await relay.close();
  });

  test('shows a code, shares once the customer allows control, sends a full frame then only the changed area, and applies input in order', async () => {
    harness = await startAgent(relay.wsUrl);
    const code = await codeOf(harness);
    // Six digits from the relay, three of the agent's own.
    expect(code).toMatch(/^[0-9]{9}$/);
    const tech = await joinAsTechnician(relay, code);
    await tech.next('paired');
    const info = await tech.next('screen-info');
    expect(info.displays[0]).toMatchObject({ width: 640, height: 480, primary: true });
    expect(harness.agent.session.current).toMatchObject({ kind: 'sharing', technicianName: 'Juan (CompuEasys)', viewOnly: false, encrypted: true });

    const first = await tech.nextBinary();
    if (first.message.kind !== 'frame') throw new Error('expected a frame');
    expect(first.message.header.flags & FrameFlag.FULL).toBe(FrameFlag.FULL);
    // Acknowledge every update so the agent may go on; then change a small area.
    const ackAll = async (): Promise<void> => {
      while (tech.pending > 0) {
        const { message } = await tech.nextBinary();
        if (message.kind === 'frame' && message.header.flags & FrameFlag.LAST) tech.sendRaw(encodeFrameAck(message.header.seq, message.header.captureTimeMs));
      }
    };
    if (first.message.header.flags & FrameFlag.LAST) tech.sendRaw(encodeFrameAck(first.message.header.seq, first.message.header.captureTimeMs));
    await ackAll();
    harness.screen.paint({ x: 100, y: 100, width: 10, height: 10 }, [255, 0, 0]);
    const small = await tech.nextBinary();
    if (small.message.kind !== 'frame') throw new Error('expected a frame');
    expect(small.message.header.width * small.message.header.height).toBeLessThan(640 * 480 / 4);

    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'right', x: 320, y: 240 } });
    tech.sendJson({ type: 'input', seq: 1, event: { kind: 'text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' } });
    await eventually(() => harness!.sink.log.includes('type ¿Añadir el último pingüino? ¡Sí! 10 €'), 5000, 'input');
    expect(harness.sink.log).toEqual(['move 320,240', 'right down', 'right up', 'type ¿Añadir el último pingüino? ¡Sí! 10 €']);
  });

  test('a resolution change mid-session: the technician is told the new size and gets a full frame of it', async () => {
    harness = await startAgent(relay.wsUrl);
    const tech = await joinAsTechnician(relay, await codeOf(harness));
    await tech.next('paired');
    await tech.next('screen-info');
    const ack = async (): Promise<FrameHeader> => {
      for (;;) {
        const { message } = await tech.nextBinary();
        if (message.kind !== 'frame') continue;
        if (message.header.flags & FrameFlag.LAST) {
          tech.sendRaw(encodeFrameAck(message.header.seq, message.header.captureTimeMs));
          return message.header;
        }
      }
    };
    expect(await ack()).toMatchObject({ screenWidth: 640, screenHeight: 480 });
    harness.screen.resize(800, 600);
    harness.screen.paint({ x: 0, y: 0, width: 800, height: 600 }, [200, 100, 50]);
    const info = await tech.until('screen-info');
    expect(info.displays[0]).toMatchObject({ width: 800, height: 600 });
    let header = await ack();
    while (!(header.flags & FrameFlag.FULL)) header = await ack();
    expect(header).toMatchObject({ screenWidth: 800, screenHeight: 600 });
  });

  test('view only (an older technician app, in clear): the technician sees the screen, and no input reaches the machine', async () => {
    harness = await startAgent(relay.wsUrl, 'view-only');
    const tech = await joinUnsealed(relay, await codeOf(harness));
    expect((await tech.next('paired')).viewOnly).toBe(true);
    await tech.until('screen-info');
    await tech.nextBinary();
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 1, y: 1 } });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    // The refusal reaches the technician as soon as the relay reads the input; wait until
    // the agent has read everything after it too, and applied whatever it accepted.
    await untilAgentHasRead(tech);
    await harness.agent.injector.idle();
    expect(harness.agent.injector.currentMode).toBe('view-only');
    expect(harness.sink.log).toEqual([]);
  });

  test('view only, sealed: the technician sees the screen, and the relay refuses its sealed input', async () => {
    harness = await startAgent(relay.wsUrl, 'view-only');
    const tech = await joinAsTechnician(relay, await codeOf(harness));
    expect((await tech.next('paired')).viewOnly).toBe(true);
    await tech.until('screen-info');
    expect((await tech.nextBinary()).message.kind).toBe('frame');
    expect(harness.agent.session.current).toMatchObject({ kind: 'sharing', viewOnly: true, encrypted: true });
    // The page sends none; one sent anyway is dropped by the relay, which knows the inner type.
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 1, y: 1 } });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    expect(harness.agent.injector.currentMode).toBe('view-only');
  });

  test('the customer\'s pointer goes sealed to a page that asked for it (shape once, then where it moves), and never to an older page', async () => {
    const cursor = new StillCursor();
    harness = await startAgent(relay.wsUrl, 'view-only', { cursor });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor'])).tech;
    await tech.next('paired');
    const shape = await tech.until('cursor-shape');
    expect(shape).toEqual({ type: 'cursor-shape', id: 5, width: 2, height: 2, hotX: 1, hotY: 0, rgba: 'BQUFBQUFBQUFBQUFBQUFBQ' });
    expect(await tech.until('cursor-pos')).toEqual({ type: 'cursor-pos', x: 100, y: 50, visible: true, shape: 5 });
    cursor.moveTo(101, 52);
    expect(await tech.until('cursor-pos')).toEqual({ type: 'cursor-pos', x: 101, y: 52, visible: true, shape: 5 });
    await harness.agent.close();
    harness = undefined;

    // A page from before the cursor names no feature: it is sent none (it would take a sealed message it cannot decode for tampering).
    const old = new StillCursor();
    harness = await startAgent(relay.wsUrl, 'view-only', { cursor: old });
    const oldTech = (await joinSealed(relay.wsUrl, await codeOf(harness))).tech;
    await oldTech.next('paired');
    await oldTech.until('screen-info');
    expect((await oldTech.nextBinary()).message.kind).toBe('frame');
    expect(old.reads).toBe(0);
    expect(oldTech.received.some((m) => m.kind === 'text' && (m.message.type === 'cursor-shape' || m.message.type === 'cursor-pos'))).toBe(false);
  });

  test('through an older relay (its welcome names no feature) the pointer is not sent, even to a page that asked: that relay would close the socket', async () => {
    const older = await startFeatureFilter(relay.wsUrl, 'all');
    try {
      const cursor = new StillCursor();
      harness = await startAgent(older.wsUrl, 'view-only', { cursor });
      const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor'])).tech;
      await tech.next('paired');
      await tech.until('screen-info');
      expect((await tech.nextBinary()).message.kind).toBe('frame');
      expect(cursor.reads).toBe(0);
      expect(harness.agent.session.current.kind).toBe('sharing');
    } finally {
      await harness?.agent.close();
      harness = undefined;
      await older.close();
    }
  });

  test('two monitors: a page that can pick sees both listed and the primary one streamed; another pick streams that one, and clicks land on it', async () => {
    const cursor = new StillCursor();
    cursor.moveTo(400, 50); // on the right monitor
    harness = await startAgent(relay.wsUrl, 'control', { monitors: TWO_MONITORS, cursor });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor', 'displays'])).tech;
    await tech.next('paired');
    const agent = new AgentFollower(tech);
    expect(await agent.until(textOf('screen-info'))).toEqual({
      type: 'screen-info',
      displays: [
        { id: 0, x: 0, y: 0, width: 640, height: 480, primary: false },
        { id: 1, x: 0, y: 0, width: 320, height: 480, primary: true },
        { id: 2, x: 320, y: 0, width: 320, height: 480, primary: false },
      ],
      streaming: 1,
    });
    expect(await agent.until(fullUpdate)).toMatchObject({ screenWidth: 320, screenHeight: 480, displayId: 1 });
    // The pointer is on the other monitor: hidden on this picture.
    expect(await agent.until(textOf('cursor-pos'))).toMatchObject({ visible: false });

    tech.sendJson({ type: 'select-display', id: 2 });
    expect(await agent.until(textOf('screen-info'))).toMatchObject({ streaming: 2 });
    expect(await agent.until(fullUpdateOf(2))).toMatchObject({ screenWidth: 320, screenHeight: 480, x: 0, y: 0, width: 320, height: 480 });
    const shown = (item: Item) => { const pos = textOf('cursor-pos')(item); return pos?.visible === true ? pos : undefined; };
    expect(await agent.until(shown)).toMatchObject({ x: 80, y: 50, visible: true });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 10, y: 20 } });
    tech.sendJson({ type: 'input', seq: 1, event: { kind: 'pointer-move', x: 5000, y: 5000 } });
    await eventually(() => harness!.sink.log.length >= 4, 5000, 'input');
    expect(harness.sink.log).toEqual(['move 330,20', 'left down', 'left up', 'move 639,479']);

    // An id that was not listed changes nothing, and the session goes on.
    tech.sendJson({ type: 'select-display', id: 7 });
    tech.sendJson({ type: 'select-display', id: 0 });
    expect(await agent.until(textOf('screen-info'))).toMatchObject({ streaming: 0 });
    // A frame of display 2 the relay held for a busy socket may still come after the
    // screen-info (control messages are never held, PROTOCOL.md §8); the agent sent it before.
    expect(await agent.until(fullUpdateOf(0))).toMatchObject({ screenWidth: 640, screenHeight: 480 });
    expect(harness.agent.session.current.kind).toBe('sharing');
  });

  test('two monitors and a page that cannot pick (it did not name "displays"): the whole desktop, as before, and a choice sent anyway is ignored', async () => {
    harness = await startAgent(relay.wsUrl, 'control', { monitors: TWO_MONITORS });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor'])).tech;
    await tech.next('paired');
    expect(await tech.until('screen-info')).toEqual({
      type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 640, height: 480, primary: true }], streaming: 0,
    });
    expect(await ackingUntil(tech, fullUpdate)).toMatchObject({ screenWidth: 640, screenHeight: 480 });
    tech.sendJson({ type: 'select-display', id: 2 });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 10, y: 20 } });
    await eventually(() => harness!.sink.log.length >= 3, 5000, 'input');
    expect(harness.sink.log).toEqual(['move 10,20', 'left down', 'left up']);
    expect(harness.agent.session.current.kind).toBe('sharing');
  });

  test('through an older relay (its welcome names no feature) two monitors are shown as one desktop, even to a page that can pick', async () => {
    const older = await startFeatureFilter(relay.wsUrl, 'all');
    try {
      harness = await startAgent(older.wsUrl, 'view-only', { monitors: TWO_MONITORS });
      const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor', 'displays'])).tech;
      await tech.next('paired');
      expect((await tech.until('screen-info')).displays).toHaveLength(1);
    } finally {
      await harness?.agent.close();
      harness = undefined;
      await older.close();
    }
  });

  test('monitors that cannot be listed: the whole desktop is streamed and the session goes on', async () => {
    harness = await startAgent(relay.wsUrl, 'control', { monitors: { name: 'broken', list: () => Promise.reject(new Error('no RandR')) } });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor', 'displays'])).tech;
    await tech.next('paired');
    expect((await tech.until('screen-info')).displays).toEqual([{ id: 0, x: 0, y: 0, width: 640, height: 480, primary: true }]);
    expect(await ackingUntil(tech, fullUpdate)).toMatchObject({ screenWidth: 640, screenHeight: 480 });
  });

  test('chat: with a page that can chat, messages go both ways exactly; the chat closes when the session ends', async () => {
    const chat = new RecordingChat();
    harness = await startAgent(relay.wsUrl, 'view-only', { chat });
    const joined = await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['chat']);
    const tech = joined.tech;
    await tech.next('paired');
    await eventually(() => chat.available === true, 5000, 'the chat opens');
    const phrase = '¿Reinicio el equipo? Sí, ahora 👍';
    tech.sendJson({ type: 'chat', text: phrase });
    await eventually(() => chat.received.length === 1, 5000, 'the technician\'s message');
    expect(chat.received).toEqual([phrase]);
    expect(harness.agent.session.sendChat('Sí\n  adelante')).toBe(true);
    expect(await tech.until('chat')).toEqual({ type: 'chat', text: 'Sí\n  adelante' });
    // What a chat cannot carry is not sent (the page would refuse it and end nothing, but it would be lost).
    expect(harness.agent.session.sendChat('')).toBe(false);
    expect(harness.agent.session.sendChat('x'.repeat(4001))).toBe(false);
    expect(harness.agent.session.sendChat('half \ud83d')).toBe(false);
    await harness.agent.session.stop();
    expect(chat.available).toBe(false);
    expect(harness.agent.session.sendChat('too late')).toBe(false);
  });

  test('chat: a page that did not name it is offered none, and a chat message it sends anyway is not shown', async () => {
    const chat = new RecordingChat();
    harness = await startAgent(relay.wsUrl, 'view-only', { chat });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor'])).tech;
    await tech.next('paired');
    await tech.until('screen-info');
    expect(chat.available).toBeUndefined();
    expect(harness.agent.session.sendChat('hola')).toBe(false);
    tech.sendJson({ type: 'chat', text: 'unasked' });
    tech.sendJson({ type: 'refresh', reason: 'requested' });
    await untilAgentHasRead(tech);
    expect(chat.received).toEqual([]);
    expect(harness.agent.session.current.kind).toBe('sharing');
  });

  test('chat: through an older relay (its welcome names no feature) no chat is offered, even to a page that can chat', async () => {
    const older = await startFeatureFilter(relay.wsUrl, 'all');
    try {
      const chat = new RecordingChat();
      harness = await startAgent(older.wsUrl, 'view-only', { chat });
      const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['chat'])).tech;
      await tech.next('paired');
      await tech.until('screen-info');
      expect(chat.available).toBeUndefined();
      expect(harness.agent.session.sendChat('hola')).toBe(false);
    } finally {
      await harness?.agent.close();
      harness = undefined;
      await older.close();
    }
  });

  test('clipboard: the technician\'s text goes into the customer\'s clipboard; asked, the customer\'s comes back, and while followed each new copy', async () => {
    const clipboard = new FakeClipboard('del cliente: año');
    harness = await startAgent(relay.wsUrl, 'control', { clipboard });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['clipboard'])).tech;
    await tech.next('paired');
    tech.sendJson({ type: 'clipboard', text: 'año, €, ñ' });
    await eventually(() => clipboard.text === 'año, €, ñ', 5000, 'the clipboard written');
    clipboard.text = 'del cliente: año';
    tech.sendJson({ type: 'clipboard-request', follow: true });
    expect(await tech.until('clipboard')).toEqual({ type: 'clipboard', text: 'del cliente: año' });
    clipboard.copyByAnotherProgram('copiado después 👍');
    expect(await tech.until('clipboard')).toEqual({ type: 'clipboard', text: 'copiado después 👍' });
    clipboard.copyByAnotherProgram('x'.repeat(20_000));
    expect(await tech.until('clipboard')).toEqual({ type: 'clipboard', text: '', problem: 'too-long' });
    tech.sendJson({ type: 'clipboard-request', follow: false });
    expect(await tech.until('clipboard')).toEqual({ type: 'clipboard', text: '', problem: 'too-long' });
    await harness.agent.session.stop();
    expect(clipboard.listeners).toBe(0);
  });

  test('clipboard: never in a view-only session (the relay refuses it), nor to a page that did not name it', async () => {
    const clipboard = new FakeClipboard('secreto');
    harness = await startAgent(relay.wsUrl, 'view-only', { clipboard });
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['clipboard'])).tech;
    await tech.next('paired');
    tech.sendJson({ type: 'clipboard-request', follow: true });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    tech.sendJson({ type: 'clipboard', text: 'pisado' });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    expect(clipboard.text).toBe('secreto');
    expect(clipboard.reads).toBe(0);
    await harness.agent.close();

    const other = new FakeClipboard('secreto');
    harness = await startAgent(relay.wsUrl, 'control', { clipboard: other });
    const older = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['cursor'])).tech;
    await older.next('paired');
    older.sendJson({ type: 'clipboard-request', follow: false });
    older.sendJson({ type: 'clipboard', text: 'pisado' });
    await untilAgentHasRead(older);
    expect(other.text).toBe('secreto');
    expect(other.reads).toBe(0);
  });

  test('recording: the customer\'s side names it, shows the notice from started to stopped, and clears it when the session ends', async () => {
    const shown: boolean[] = [];
    harness = await startAgent(relay.wsUrl, 'view-only', { onRecording: (r) => shown.push(r) });
    const joined = await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', ['recording']);
    const tech = joined.tech;
    await tech.next('paired');
    tech.sendJson({ type: 'recording-started' });
    await eventually(() => shown.length === 1, 5000, 'the notice');
    tech.sendJson({ type: 'recording-stopped' });
    await eventually(() => shown.length === 2, 5000, 'the notice gone');
    tech.sendJson({ type: 'recording-started' });
    await eventually(() => shown.length === 3, 5000, 'the notice again');
    await harness.agent.session.stop();
    expect(shown).toEqual([true, false, true, false]);
  });

  /**
   * Pairs a technician that announces `features` with an agent on `agentRelayUrl`, moves
   * the whole fake screen before every grab, acknowledges 12 updates and returns their
   * rectangles' headers.
   */
  async function headersDuringMotion(agentRelayUrl: string, features: readonly string[] | undefined): Promise<FrameHeader[]> {
    harness = await startAgent(agentRelayUrl);
    const screen = harness.screen;
    let shade = 0;
    const grab = screen.grab.bind(screen);
    screen.grab = async () => {
      screen.paint({ x: 0, y: 0, width: 640, height: 480 }, [shade++ & 255, 90, 30]);
      return grab();
    };
    const tech = (await joinSealed(relay.wsUrl, await codeOf(harness), 'Juan', features)).tech;
    await tech.next('paired');
    await tech.until('screen-info');
    const headers: FrameHeader[] = [];
    for (let updates = 0; updates < 12;) {
      const { message } = await tech.nextBinary();
      if (message.kind !== 'frame') continue;
      headers.push(message.header);
      if (message.header.flags & FrameFlag.LAST) {
        tech.sendRaw(encodeFrameAck(message.header.seq, message.header.captureTimeMs));
        updates++;
      }
    }
    expect(harness.agent.session.current.kind).toBe('sharing');
    await harness.agent.close();
    harness = undefined;
    return headers;
  }

  test('whole-screen motion goes at half resolution (SCALED, the image\'s size in the header) to a page that said it draws it', async () => {
    const headers = await headersDuringMotion(relay.wsUrl, ['cursor', 'scaled-frames']);
    const scaled = headers.filter((h) => h.flags & FrameFlag.SCALED);
    expect(scaled.length).toBeGreaterThanOrEqual(8); // all but the first frame and the first large change
    for (const h of scaled) expect(h).toMatchObject({ width: 640, height: 480, scaledImage: { width: 320, height: 240 } });
  });

  test('never to a page that did not say so, nor through an older relay (it would close the socket on the unknown flag)', async () => {
    expect((await headersDuringMotion(relay.wsUrl, ['cursor'])).filter((h) => h.flags & FrameFlag.SCALED)).toEqual([]);
    expect((await headersDuringMotion(relay.wsUrl, undefined)).filter((h) => h.flags & FrameFlag.SCALED)).toEqual([]);
    const older = await startFeatureFilter(relay.wsUrl, 'all');
    try {
      expect((await headersDuringMotion(older.wsUrl, ['cursor', 'scaled-frames'])).filter((h) => h.flags & FrameFlag.SCALED)).toEqual([]);
    } finally {
      await older.close();
    }
  });

  test('deny: the technician is turned away and the customer sees a new code', async () => {
    harness = await startAgent(relay.wsUrl, 'deny');
    const first = await codeOf(harness);
    const tech = await joinAsTechnician(relay, first);
    expect((await tech.until('error')).code).toBe(Errors.CONSENT_DENIED.code);
    await eventually(() => harness!.agent.session.current.kind === 'code' && (harness!.agent.session.current as { code: string }).code !== first, 5000, 'a new code');
  });

  test('a mistyped code: the keys do not verify, the technician is refused, and the customer gets a new code with new secret digits and a notice', async () => {
    harness = await startAgent(relay.wsUrl);
    const first = await codeOf(harness);
    const lastDigit = Number(first.at(-1));
    const mistyped = first.slice(0, -1) + String((lastDigit + 1) % 10);
    const refused = await joinSealed(relay.wsUrl, mistyped).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TechnicianNotVerified);
    expect((refused as TechnicianNotVerified).why).toBe(`the relay said ${Errors.E2E_FAILED.code}`);
    await eventually(() => harness!.agent.session.current.kind === 'code' && (harness!.agent.session.current as { code: string }).code !== first, 5000, 'a new code');
    expect(harness.agent.session.current).toMatchObject({ kind: 'code', notice: 'unverified' });
    // The customer was never asked, and the old code is gone for good.
    expect(harness.states.some((s) => s.kind === 'consent')).toBe(false);
    const late = await WsTestPeer.hello(relay.wsUrl, 'technician');
    late.sendJson({ type: 'join', code: routingPart(first), name: '' });
    expect((await late.next('error')).code).toBe(Errors.CODE_INVALID.code);
  });

  test('an older technician app (protocol 1) is shown as not end-to-end encrypted, and works in clear once the customer agrees', async () => {
    harness = await startAgent(relay.wsUrl);
    const tech = await joinUnsealed(relay, await codeOf(harness));
    await tech.next('paired');
    expect(harness.states.find((s) => s.kind === 'consent')).toMatchObject({ technicianName: 'Juan (CompuEasys)', encrypted: false });
    expect(harness.agent.session.current).toMatchObject({ kind: 'sharing', encrypted: false });
    expect((await tech.next('screen-info')).displays[0]).toMatchObject({ width: 640 });
    const frame = await tech.nextBinary();
    expect(frame.message.kind).toBe('frame');
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'text', text: 'hola' } });
    await eventually(() => harness!.sink.log.includes('type hola'), 5000, 'input in clear');
  });

  test('set to require end-to-end encryption, the agent turns an older technician away without asking, and says why', async () => {
    harness = await startAgent(relay.wsUrl, 'control', { requireEndToEnd: true });
    const first = await codeOf(harness);
    const tech = await joinUnsealed(relay, first);
    expect((await tech.until('error')).code).toBe(Errors.CONSENT_DENIED.code);
    await eventually(() => harness!.agent.session.current.kind === 'code' && (harness!.agent.session.current as { code: string }).code !== first, 5000, 'a new code');
    expect(harness.agent.session.current).toMatchObject({ kind: 'code', notice: 'unencrypted-refused' });
    expect(harness.states.some((s) => s.kind === 'consent' || s.kind === 'sharing')).toBe(false);
  });

  test('more secret digits when set: six routing digits and six of the agent\'s own, and a technician with all twelve pairs', async () => {
    harness = await startAgent(relay.wsUrl, 'control', { secretDigits: 6 });
    const code = await codeOf(harness);
    expect(code).toMatch(/^[0-9]{12}$/);
    const tech = await joinAsTechnician(relay, code);
    expect((await tech.next('paired')).viewOnly).toBe(false);
  });

  test('stop sharing ends the session at once and the technician is told', async () => {
    harness = await startAgent(relay.wsUrl);
    const tech = await joinAsTechnician(relay, await codeOf(harness));
    await tech.next('paired');
    await harness.agent.session.stop();
    expect(await tech.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect(harness.agent.session.current).toMatchObject({ kind: 'ended', by: 'customer' });
  });

  test('when the technician leaves, held keys are released and the agent says so', async () => {
    harness = await startAgent(relay.wsUrl);
    const tech = await joinAsTechnician(relay, await codeOf(harness));
    await tech.next('paired');
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: { ...M, ctrl: true } } });
    await eventually(() => harness!.sink.log.includes('key LeftControl down'), 5000, 'ctrl down');
    tech.sendJson({ type: 'bye' });
    await eventually(() => harness!.sink.log.includes('key LeftControl up'), 5000, 'ctrl released');
    expect(harness.agent.session.current).toMatchObject({ kind: 'ended', by: 'technician' });
  });

  test('a network drop: the agent says it is reconnecting, and shows a code again once the relay is back', async () => {
    harness = await startAgent(relay.wsUrl);
    await codeOf(harness);
    const port = relay.port;
    await relay.close();
    await eventually(() => harness!.states.some((s) => s.kind === 'reconnecting'), 5000, 'reconnecting');
    relay = await startTestRelay({ port });
    await eventually(() => harness!.agent.session.current.kind === 'code', 5000, 'a code after reconnecting');
    // The new relay does not know the old code: the customer is told to read out the new one.
    expect(harness.agent.session.current).toMatchObject({ kind: 'code', notice: 'reconnected' });
    const reconnects = harness.states.filter((s) => s.kind === 'reconnecting');
    expect(reconnects.length).toBeGreaterThanOrEqual(1);
  });

  test('with a retry limit, the agent stops trying after the last retry and says so', async () => {
    harness = await startAgent(relay.wsUrl, 'control', { backoff: { initialDelayMs: 20, maxDelayMs: 200, factor: 2, jitter: 0, maxRetries: 2 } });
    await codeOf(harness);
    await relay.close();
    await harness.waitFor('failed');
    const retries = harness.states.filter((s): s is Extract<AgentState, { kind: 'reconnecting' }> => s.kind === 'reconnecting');
    expect(retries.map((s) => [s.attempt, s.inMs])).toEqual([[1, 20], [2, 40]]);
    expect(harness.agent.session.current).toMatchObject({ kind: 'failed', code: 'reconnect-gave-up' });
  });
});

describe('the client agent and expiring codes', () => {
  test('an unused code that expires is replaced by a new one on its own', async () => {
    const clock = new ManualClock();
    const relay = await startTestRelay({ sweepIntervalMs: 3_600_000 }, clock);
    const h = await startAgent(relay.wsUrl);
    try {
      const first = await codeOf(h);
      clock.advance(10 * 60_000);
      relay.sweep();
      await eventually(() => h.agent.session.current.kind === 'code' && (h.agent.session.current as { code: string }).code !== first, 5000, 'a new code');
    } finally {
      await h.agent.close();
      await relay.close();
    }
  });
});

describe('the client agent and a misbehaving relay', () => {
  test('junk from the relay is refused and the agent keeps running', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (ws) => {
      ws.on('message', () => undefined);
      ws.send('{not json');
      ws.send('{"type":"input","seq":0,"event":{"kind":"click","button":"left","x":-5,"y":1}}');
      ws.send(Buffer.from([1, 2, 3]));
      ws.send('{"type":"teleport"}');
      ws.send(JSON.stringify({ type: 'welcome', version: PROTOCOL_VERSION, heartbeatMs: 10000, maxFrameBytes: 1 << 20, maxTextBytes: 65536 }));
      ws.send(JSON.stringify({ type: 'code', code: '123456', expiresAt: Date.now() + 600_000, ttlMs: 600_000 }));
    });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    const h = await startAgent(`ws://127.0.0.1:${port}`);
    try {
      expect(await codeOf(h)).toMatch(/^123456[0-9]{3}$/);
      expect(h.sink.log).toEqual([]);
    } finally {
      await h.agent.close();
      await new Promise((r) => wss.close(r));
    }
  });
});

/** The customer's clipboard in memory: what a program copies, and what the agent reads and writes. */
class FakeClipboard implements SystemClipboard {
  readonly name = 'fake';
  reads = 0;
  private readonly changes = new Set<() => void>();
  constructor(public text: string) {}
  async readText(maxBytes: number): Promise<string> {
    this.reads++;
    if (Buffer.byteLength(this.text) > maxBytes) throw new ClipboardTooLong('too long');
    return this.text;
  }
  async writeText(text: string): Promise<void> {
    this.text = text;
  }
  onChange(listener: () => void): () => void {
    this.changes.add(listener);
    return () => this.changes.delete(listener);
  }
  copyByAnotherProgram(text: string): void {
    this.text = text;
    for (const l of [...this.changes]) l();
  }
  get listeners(): number {
    return this.changes.size;
  }
  async close(): Promise<void> { /* nothing held */ }
}

/** The customer's side of the chat, recorded. */
class RecordingChat implements ChatHooks {
  available: boolean | undefined;
  readonly received: string[] = [];
  onMessage(text: string): void {
    this.received.push(text);
  }
  onAvailable(available: boolean): void {
    this.available = available;
  }
}

/** The fake 640×480 screen as two monitors side by side, the left one primary. */
const TWO_MONITORS: MonitorLister = {
  name: 'two',
  list: async () => [
    { name: 'L', x: 0, y: 0, width: 320, height: 480, primary: true },
    { name: 'R', x: 320, y: 0, width: 320, height: 480, primary: false },
  ],
};

type Item = Awaited<ReturnType<WsTestPeer['nextAny']>>;

/**
 * Reads what the agent sends, acknowledging each update (so it keeps streaming). Frames,
 * the pointer and screen-info come interleaved in whatever order the agent's loops
 * produce them, so what one wait skips is kept for the next.
 */
class AgentFollower {
  private readonly skipped: Item[] = [];

  constructor(private readonly tech: WsTestPeer) {}

  /** The first message, kept or new, that `pick` finds what the test waits for in. */
  async until<T>(pick: (item: Item) => T | undefined): Promise<T> {
    for (const [index, item] of this.skipped.entries()) {
      const found = pick(item);
      if (found === undefined) continue;
      this.skipped.splice(index, 1);
      return found;
    }
    for (;;) {
      const item = await this.tech.nextAny();
      if (item.kind === 'binary' && item.message.kind === 'frame' && (item.message.header.flags & FrameFlag.LAST) !== 0) {
        this.tech.sendRaw(encodeFrameAck(item.message.header.seq, item.message.header.captureTimeMs));
      }
      const found = pick(item);
      if (found !== undefined) return found;
      this.skipped.push(item);
    }
  }
}

async function ackingUntil<T>(tech: WsTestPeer, pick: (item: Item) => T | undefined): Promise<T> {
  return new AgentFollower(tech).until(pick);
}

/** The header of the first rectangle of a full update. */
function fullUpdate(item: Item): FrameHeader | undefined {
  return item.kind === 'binary' && item.message.kind === 'frame' && (item.message.header.flags & FrameFlag.FULL) !== 0 ? item.message.header : undefined;
}

/** The header of the first rectangle of a full update of display `id`. */
function fullUpdateOf(id: number): (item: Item) => FrameHeader | undefined {
  return (item) => { const header = fullUpdate(item); return header?.displayId === id ? header : undefined; };
}

/** A text message of this type. */
function textOf<T extends ControlMessage['type']>(type: T): (item: Item) => Extract<ControlMessage, { type: T }> | undefined {
  return (item) => (item.kind === 'text' && item.message.type === type ? item.message as Extract<ControlMessage, { type: T }> : undefined);
}

/** A pointer standing where the test puts it, with one 2 × 2 shape. */
class StillCursor implements CursorSource {
  readonly name = 'still';
  reads = 0;
  private at: PointerPosition = { x: 100, y: 50 };

  async shape(): Promise<CursorShape> {
    this.reads++;
    return { id: 5, width: 2, height: 2, hotX: 1, hotY: 0, rgba: new Uint8Array(16).fill(5) };
  }

  onShapeChange(): () => void {
    return () => undefined;
  }

  async position(): Promise<PointerPosition> {
    this.reads++;
    return this.at;
  }

  moveTo(x: number, y: number): void {
    this.at = { x, y };
  }

  async close(): Promise<void> { /* nothing held */ }
}
