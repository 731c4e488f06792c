import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { createAgent, type Agent } from '../../client/agent';
import { E2eHandshake, type SealedChannel } from '../../common/e2e/handshake';
import { nodeAead } from '../../common/node/node-aead';
import { createSharpEncoder } from '../../client/encode/sharp-encoder-adapter';
import type { AgentState } from '../../client/session/session-state';
import { routingPart } from '../../common/access-code';
import {
  decodeText, encodeBase64Url, encodeControl, encodeFrameAck, Errors, type ControlMessage,
} from '../../protocol';
import type { Relay } from '../../relay/server';
import { fakeHardware, type FakeHardware } from '../support/fake-hardware';
import { startMitmRelay, TEST_RELAY_WELCOME, type MitmRelay } from '../support/mitm-relay';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { eventually, startTestRelay } from '../support/relay-harness';
import { agreeAsTechnician, helloSealed, joinSealed, TechnicianNotVerified } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';

/**
 * What end-to-end sealing promises against the relay itself (issue 11): whoever runs or
 * breaks into it sees no screen, no keystroke and no name, and cannot stand in the middle
 * even though it assigns the codes. The customer's side is the real agent (its screen
 * faked, its JPEG encoder real); the technician's is the page's handshake and record layer.
 */
const PHRASE = 'Útil: año, cigüeña, ¿qué? ¡ya! 5 € ß';
const TECHNICIAN = 'Juan Pérez (CompuEasys)';

interface RunningAgent {
  readonly agent: Agent;
  readonly hardware: FakeHardware;
  readonly states: AgentState[];
}

async function startAgent(relayUrl: string): Promise<RunningAgent> {
  const hardware = fakeHardware(relayUrl);
  // A screen with detail, so every frame carries a real JPEG.
  for (let i = 0; i < 8; i++) hardware.screen.paint({ x: i * 80, y: 0, width: 80, height: 480 }, [i * 30, 255 - i * 30, 90]);
  const states: AgentState[] = [];
  const agent = await createAgent({
    ...hardware.deps,
    encoder: await createSharpEncoder(),
    consent: async () => 'control',
    onState: (s) => states.push(s),
    streamer: { minFrameIntervalMs: 5, maxIdleIntervalMs: 10 },
  });
  agent.session.connect();
  return { agent, hardware, states };
}

async function shownCode(running: RunningAgent, other?: string): Promise<string> {
  await eventually(() => {
    const s = running.agent.session.current;
    return s.kind === 'code' && s.code !== other;
  }, 5000, 'a code');
  const s = running.agent.session.current;
  if (s.kind !== 'code') throw new Error('no code');
  return s.code;
}

function contains(haystack: Buffer, needle: string | Uint8Array): boolean {
  return haystack.indexOf(typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle)) !== -1;
}

describe('a recording relay (the real relay, every byte it forwards kept)', () => {
  let relay: Relay;
  let proxy: RecordingProxy;
  let running: RunningAgent | undefined;
  let tech: WsTestPeer | undefined;
  beforeEach(async () => {
    relay = await startTestRelay();
    proxy = await startRecordingProxy(relay.wsUrl);
  });
  afterEach(async () => {
    tech?.close();
    await running?.agent.close();
    await proxy.close();
    await relay.close();
  });

  /**
   * A whole session through the proxy: the first frame reaches the technician (returned:
   * the first 16 bytes of its JPEG, as the encoder made them), and the phrase typed by the
   * technician reaches the customer's keyboard.
   */
  async function session(sealed: boolean): Promise<{ jpegStart: Uint8Array; jpegLength: number; code: string }> {
    running = await startAgent(proxy.wsUrl);
    const code = await shownCode(running);
    if (sealed) {
      ({ tech } = await joinSealed(proxy.wsUrl, code, TECHNICIAN));
    } else {
      tech = await WsTestPeer.hello(proxy.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code: routingPart(code), name: TECHNICIAN });
    }
    await tech.until('paired');
    await tech.until('screen-info');
    const { message } = await tech.nextBinary();
    if (message.kind !== 'frame') throw new Error('expected a frame');
    const jpegStart = message.image.subarray(0, 16);
    expect(Array.from(jpegStart.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    tech.sendRaw(encodeFrameAck(message.header.seq, message.header.captureTimeMs));
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'text', text: PHRASE } });
    await eventually(() => running!.hardware.sink.log.includes(`type ${PHRASE}`), 5000, 'the phrase on the customer\'s keyboard');
    return { jpegStart, jpegLength: message.image.length, code };
  }

  test('sealed: no JPEG, no typed phrase, no name and no secret digit crosses the relay in clear', async () => {
    const { jpegStart, jpegLength, code } = await session(true);
    expect(running!.agent.session.current).toMatchObject({ kind: 'sharing', technicianName: TECHNICIAN, encrypted: true });
    const seen = proxy.fromRelay();
    expect(seen.length).toBeGreaterThan(jpegLength); // the frame did go through it, sealed
    expect(contains(seen, jpegStart)).toBe(false);
    // Every frame of this encoder starts with the same bytes, so no frame went in clear. (Not
    // FF D8 FF alone: sealed bytes are random, and 3 bytes turn up in a few hundred KiB.)
    expect(contains(seen, jpegStart.subarray(0, 6))).toBe(false);
    for (const piece of [PHRASE, 'cigüeña', 'Útil', TECHNICIAN, 'Pérez', 'PC-MARIA']) expect(contains(seen, piece)).toBe(false);
    // The relay was only ever given the routing digits.
    expect(contains(seen, routingPart(code))).toBe(true);
    expect(contains(seen, code)).toBe(false);
  });

  test('control, in clear (an older technician app): the same recording shows all of it, so the test above can fail', async () => {
    const { jpegStart } = await session(false);
    expect(running!.agent.session.current).toMatchObject({ kind: 'sharing', encrypted: false });
    const seen = proxy.fromRelay();
    expect(contains(seen, jpegStart)).toBe(true);
    for (const piece of [PHRASE, TECHNICIAN]) expect(contains(seen, piece)).toBe(true);
  });
});

describe('a malicious relay (it knows the six routing digits and runs its own agreement with each side)', () => {
  let mitm: MitmRelay;
  let running: RunningAgent | undefined;
  let tech: WsTestPeer | undefined;
  beforeEach(async () => {
    mitm = await startMitmRelay();
  });
  afterEach(async () => {
    tech?.close();
    await running?.agent.close();
    await mitm.close();
  });

  test('with a wrong guess of the secret digits it cannot pair them: both sides see the failure, the customer is never asked and gets a new code', async () => {
    running = await startAgent(mitm.wsUrl);
    const code = await shownCode(running);
    const secret = code.slice(6);
    mitm.guess = String((Number(secret) + 1) % 1000).padStart(3, '0');
    tech = await helloSealed(mitm.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: routingPart(code), name: '' });
    const refused = await agreeAsTechnician(tech, code).catch((e: unknown) => e);
    // The technician's page: its own check fails, or the relay (acting honest) says so first.
    expect(refused).toBeInstanceOf(TechnicianNotVerified);
    expect((refused as TechnicianNotVerified).why).toMatch(new RegExp(`^(mismatch|the relay said ${Errors.E2E_FAILED.code})$`));
    // The customer's agent caught the relay's confirmation, burnt the code and shows a new one, saying why.
    const next = await shownCode(running, code);
    expect(running.agent.session.current).toMatchObject({ kind: 'code', notice: 'unverified' });
    expect(next.slice(0, 6)).toBe(mitm.codesIssued[1]);
    expect(next.slice(6)).not.toBe(secret);
    expect(mitm.failuresReported).toContainEqual({ from: 'client', reason: 'mismatch' });
    expect(mitm.verifiedBy.size).toBe(0);
    expect(running.states.some((s) => s.kind === 'consent' || s.kind === 'sharing')).toBe(false);
  });

  test('control: a relay that knew every digit would verify with both sides, which is why the secret digits never reach it', async () => {
    running = await startAgent(mitm.wsUrl);
    const code = await shownCode(running);
    mitm.guess = code.slice(6);
    tech = await helloSealed(mitm.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: routingPart(code), name: '' });
    await agreeAsTechnician(tech, code);
    await eventually(() => mitm.verifiedBy.size === 2, 5000, 'the relay verified by both sides');
    expect(mitm.failuresReported).toEqual([]);
  });
});

describe('a relay that starts the agreement again in the middle of a sealed session', () => {
  test('the agent ends the session at once as tampered with, instead of sharing on without keys', async () => {
    // This "relay" plays the technician itself, with the whole code (as if the customer had
    // read it to it): a real sealed session, then a second e2e-start.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
    let agentSocket: WebSocket | undefined;
    const received: ControlMessage[] = [];
    const framesReceived: Uint8Array[] = [];
    const send = (m: ControlMessage): void => agentSocket!.send(encodeControl(m));
    let handshake: E2eHandshake | undefined;
    let channel: SealedChannel | undefined;
    const binding = encodeBase64Url(random(16));
    let routing = '';
    server.on('connection', (ws) => {
      agentSocket = ws;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          framesReceived.push(new Uint8Array(data));
          return;
        }
        const decoded = decodeText(data.toString('utf8'));
        if (!decoded.ok) return;
        received.push(decoded.message);
        void (async () => {
          const m = decoded.message;
          if (m.type === 'hello') send(TEST_RELAY_WELCOME);
          if (m.type === 'register') {
            routing = '482913';
            send({ type: 'code', code: routing, expiresAt: Date.now() + 600_000, ttlMs: 600_000 });
          }
          if ((m.type === 'e2e-share' || m.type === 'e2e-confirm') && handshake) {
            const step = await handshake.receive(m);
            if (step.kind === 'failed') throw new Error(`the test relay's agreement failed: ${step.reason}`);
            for (const out of step.send) send(out);
            if (step.kind === 'verified') {
              channel = step.channel;
              send(await channel.sealer.sealText({ type: 'introduce', name: TECHNICIAN }));
              send({ type: 'consent-request', technicianName: '', timeoutMs: 60_000 });
            }
          }
          if (m.type === 'consent' && m.granted) {
            send({ type: 'paired', sessionId: 's-test', viewOnly: false, peer: { name: '', legacy: false, wholeFramesOnly: false } });
          }
        })();
      });
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    const running = await startAgent(url);
    try {
      const code = await shownCode(running);
      handshake = new E2eHandshake({ role: 'technician', code, randomBytes: random, aead: nodeAead });
      send({ type: 'e2e-start', binding });
      const step = await handshake.receive({ type: 'e2e-start', binding });
      if (step.kind !== 'continue') throw new Error('expected the technician to start');
      for (const out of step.send) send(out);
      await eventually(() => running.agent.session.current.kind === 'sharing', 5000, 'a sealed session');
      expect(running.agent.session.current).toMatchObject({ kind: 'sharing', technicianName: TECHNICIAN, encrypted: true });
      await eventually(() => framesReceived.length > 0, 5000, 'a sealed frame');

      send({ type: 'e2e-start', binding: encodeBase64Url(random(16)) });
      await eventually(() => running.agent.session.current.kind === 'ended', 5000, 'the session to end');
      expect(running.agent.session.current).toMatchObject({ kind: 'ended', reason: 'e2e-tampered' });
      await eventually(() => received.some((m) => m.type === 'e2e-failed'), 5000, 'the agent to say why');
      expect(received.find((m) => m.type === 'e2e-failed')).toEqual({ type: 'e2e-failed', reason: 'tampered' });
      expect(running.agent.injector.currentMode).toBe('off');
    } finally {
      await running.agent.close();
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
