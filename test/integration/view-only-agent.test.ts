import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type InputEvent } from '../../protocol';
import { createAgent, type Agent } from '../../client/agent';
import type { ConsentAnswer } from '../../client/contract/ui-events';
import { eventually, within } from '../support/relay-harness';
import { fakeHardware, RecordingSink } from '../support/fake-hardware';

const M = { ctrl: false, alt: false, shift: false, meta: false };

/** Every kind of input a technician can send. */
const INPUT: readonly InputEvent[] = [
  { kind: 'pointer-move', x: 10, y: 10 },
  { kind: 'click', button: 'left', x: 20, y: 20 },
  { kind: 'double-click', button: 'left', x: 20, y: 20 },
  { kind: 'button-down', button: 'right', x: 30, y: 30 },
  { kind: 'button-up', button: 'right', x: 30, y: 30 },
  { kind: 'wheel', x: 40, y: 40, dx: 0, dy: 3 },
  { kind: 'key-down', code: 'KeyA', key: 'a', modifiers: M },
  { kind: 'key-up', code: 'KeyA', key: 'a', modifiers: M },
  { kind: 'text', text: 'format c:' },
];

/** The lying relay below, as a test sees it. */
interface LyingRelay {
  readonly url: string;
  /** What the agent answered when asked for consent. */
  readonly consents: unknown[];
  /** Binary messages (frames) the agent sent. */
  framesReceived(): number;
  /**
   * Resolves when the agent has handled every input message: the relay pings right after
   * the input, and the agent's socket answers a ping only once it has emitted every message
   * before it, in order. What the agent does with input (inject or refuse) happens as it
   * handles the message; `injector.idle()` then waits for anything queued to be applied.
   */
  readonly inputHandled: Promise<void>;
  /** Resolves when the agent's socket has closed; it read everything sent before. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * A tiny relay that misbehaves on purpose: it pairs the session with whatever `viewOnly`
 * it is told to claim (not what the customer answered), and forwards input anyway, which
 * the real relay never does in a view-only session. The agent must refuse it by itself.
 */
async function startLyingRelay(claimViewOnly: boolean | 'no-consent'): Promise<LyingRelay> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const consents: unknown[] = [];
  let frames = 0;
  let inputHandled: () => void = () => undefined;
  let closed: () => void = () => undefined;
  const handled = new Promise<void>((resolve) => { inputHandled = resolve; });
  const closedPromise = new Promise<void>((resolve) => { closed = resolve; });
  const send = (ws: WebSocket, m: unknown): void => ws.send(JSON.stringify(m));
  const pairAndForward = (ws: WebSocket, viewOnly: boolean): void => {
    send(ws, { type: 'paired', sessionId: 's-1', viewOnly, peer: { name: 'Juan (CompuEasys)', legacy: false, wholeFramesOnly: false } });
    INPUT.forEach((event, seq) => send(ws, { type: 'input', seq, event }));
    ws.ping();
  };
  wss.on('connection', (ws) => {
    ws.on('pong', () => inputHandled());
    ws.on('close', () => closed());
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) {
        frames++;
        return;
      }
      const m = JSON.parse(raw.toString('utf8')) as { type: string; granted?: boolean; viewOnly?: boolean };
      if (m.type === 'hello') send(ws, { type: 'welcome', version: PROTOCOL_VERSION, heartbeatMs: 10_000, maxFrameBytes: 1 << 22, maxTextBytes: 65536 });
      if (m.type === 'register') {
        send(ws, { type: 'code', code: '123456', expiresAt: Date.now() + 600_000, ttlMs: 600_000 });
        if (claimViewOnly === 'no-consent') pairAndForward(ws, false);
        else send(ws, { type: 'consent-request', technicianName: 'Juan (CompuEasys)', timeoutMs: 60_000 });
      }
      if (m.type === 'consent') {
        consents.push({ granted: m.granted, viewOnly: m.viewOnly });
        if (claimViewOnly !== 'no-consent') pairAndForward(ws, claimViewOnly);
      }
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    consents,
    framesReceived: () => frames,
    inputHandled: handled,
    closed: closedPromise,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

/**
 * Runs `body` with a lying relay (claiming `claim`) and the real agent on fake hardware
 * answering the customer's question with `answer`; both are closed afterwards, pass or fail.
 */
async function withLyingRelay(
  claim: boolean | 'no-consent', answer: ConsentAnswer,
  body: (relay: LyingRelay, agent: Agent, sink: RecordingSink) => Promise<void>,
): Promise<void> {
  const relay = await startLyingRelay(claim);
  const sink = new RecordingSink();
  const agent = await createAgent({
    ...fakeHardware(relay.url, sink).deps, consent: async () => answer, onState: () => undefined,
    streamer: { minFrameIntervalMs: 20 },
  });
  agent.session.connect();
  try {
    await body(relay, agent, sink);
  } finally {
    await agent.close();
    await relay.close();
  }
}

describe('view-only is enforced by the agent itself, even against a relay that forwards input', () => {
  test.each([
    ['the relay says view-only and forwards input anyway', true],
    ['the relay even claims full control after the customer chose view only', false],
  ] as const)('%s: the input sink stays empty', (_name, claim) => withLyingRelay(claim, 'view-only', async (relay, agent, sink) => {
    await within(relay.inputHandled, 5000, 'the agent to handle the input');
    await agent.injector.idle();
    expect(relay.consents).toEqual([{ granted: true, viewOnly: true }]);
    expect(agent.session.current).toMatchObject({ kind: 'sharing', viewOnly: true });
    expect(agent.injector.currentMode).toBe('view-only');
    expect(sink.log).toEqual([]);
  }));

  test('the same relay and input with control allowed does reach the sink (the test can see input)', () => withLyingRelay(false, 'control', async (relay, agent, sink) => {
    await within(relay.inputHandled, 5000, 'the agent to handle the input');
    await agent.injector.idle();
    expect(sink.log).toContain('left down');
    expect(sink.log.at(-1)).toBe('type format c:'); // the last input, so all of it came through
  }));

  test('a relay that pairs without the customer saying yes is not followed: nothing is shared or injected', () => withLyingRelay('no-consent', 'control', async (relay, agent, sink) => {
    await eventually(() => agent.session.current.kind === 'ended', 5000, 'the session to end');
    expect(agent.session.current).toMatchObject({ kind: 'ended', by: 'relay', reason: 'paired-without-consent' });
    await within(relay.closed, 5000, 'the agent to close its socket');
    await agent.injector.idle();
    expect(sink.log).toEqual([]);
    expect(agent.injector.currentMode).toBe('off');
    expect(relay.framesReceived()).toBe(0);
  }));
});
