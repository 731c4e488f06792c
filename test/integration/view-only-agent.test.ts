import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type InputEvent } from '../../protocol';
import { createAgent, type Agent } from '../../client/agent';
import type { ConsentAnswer } from '../../client/contract/ui-events';
import { eventually } from '../support/relay-harness';
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

/**
 * A tiny relay that misbehaves on purpose: it pairs the session with whatever `viewOnly`
 * it is told to claim (not what the customer answered), and forwards input anyway, which
 * the real relay never does in a view-only session. The agent must refuse it by itself.
 */
async function startLyingRelay(claimViewOnly: boolean | 'no-consent'): Promise<{ url: string; consents: unknown[]; sentInput: Promise<void>; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const consents: unknown[] = [];
  let inputSent: () => void = () => undefined;
  const sentInput = new Promise<void>((resolve) => { inputSent = resolve; });
  const send = (ws: WebSocket, m: unknown): void => ws.send(JSON.stringify(m));
  const pairAndForward = (ws: WebSocket, viewOnly: boolean): void => {
    send(ws, { type: 'paired', sessionId: 's-1', viewOnly, peer: { name: 'Juan (CompuEasys)', legacy: false, wholeFramesOnly: false } });
    INPUT.forEach((event, seq) => send(ws, { type: 'input', seq, event }));
    setTimeout(inputSent, 50);
  };
  wss.on('connection', (ws) => {
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) return; // frames: not needed here
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
    sentInput,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

async function agentAnswering(url: string, answer: ConsentAnswer, sink: RecordingSink): Promise<Agent> {
  const agent = await createAgent({
    ...fakeHardware(url, sink).deps, consent: async () => answer, onState: () => undefined,
    streamer: { minFrameIntervalMs: 20 },
  });
  agent.session.connect();
  return agent;
}

describe('view-only is enforced by the agent itself, even against a relay that forwards input', () => {
  test.each([
    ['the relay says view-only and forwards input anyway', true],
    ['the relay even claims full control after the customer chose view only', false],
  ] as const)('%s: the input sink stays empty', async (_name, claim) => {
    const relay = await startLyingRelay(claim);
    const sink = new RecordingSink();
    const agent = await agentAnswering(relay.url, 'view-only', sink);
    try {
      await eventually(() => agent.session.current.kind === 'sharing', 5000, 'sharing');
      await relay.sentInput;
      await agent.injector.idle();
      await new Promise((r) => setTimeout(r, 100));
      expect(relay.consents).toEqual([{ granted: true, viewOnly: true }]);
      expect(agent.session.current).toMatchObject({ kind: 'sharing', viewOnly: true });
      expect(agent.injector.currentMode).toBe('view-only');
      expect(sink.log).toEqual([]);
    } finally {
      await agent.close();
      await relay.close();
    }
  });

  test('the same relay and input with control allowed does reach the sink (the test can see input)', async () => {
    const relay = await startLyingRelay(false);
    const sink = new RecordingSink();
    const agent = await agentAnswering(relay.url, 'control', sink);
    try {
      await eventually(() => sink.log.includes('type format c:'), 5000, 'the input to be applied');
      expect(sink.log).toContain('left down');
    } finally {
      await agent.close();
      await relay.close();
    }
  });

  test('a relay that pairs without the customer saying yes is not followed: nothing is shared or injected', async () => {
    const relay = await startLyingRelay('no-consent');
    const sink = new RecordingSink();
    const agent = await agentAnswering(relay.url, 'control', sink);
    try {
      await eventually(() => agent.session.current.kind === 'ended', 5000, 'the session to end');
      expect(agent.session.current).toMatchObject({ kind: 'ended', by: 'relay', reason: 'paired-without-consent' });
      await relay.sentInput;
      await new Promise((r) => setTimeout(r, 100));
      expect(sink.log).toEqual([]);
      expect(agent.injector.currentMode).toBe('off');
    } finally {
      await agent.close();
      await relay.close();
    }
  });
});
