import {
  CloseCode, encodeFrame, encodeFrameAck, Errors, FrameFlag, ImageFormat, type FrameHeader,
} from '../../protocol';
import type { Relay } from '../../relay/server';
import { legacyCall, startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/**
 * Each test here pins one sentence of docs/PROTOCOL.md that an independent implementation
 * found ambiguous or that the relay did not keep, so the document and the relay agree.
 * The heartbeat (§1) is pinned in heartbeat.test.ts.
 */

function header(seq: number, flags: number, rect: Partial<FrameHeader> = {}): FrameHeader {
  return {
    flags, seq, captureTimeMs: 1_700_000_000_000, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080, ...rect,
  };
}

const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

describe('docs/PROTOCOL.md and the relay agree', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  describe('with the default settings', () => {
    beforeEach(async () => {
      relay = await startTestRelay();
    });

    test('§4.1: members not listed for a type never reach the other side', async () => {
      const { client, tech } = await pairSession(relay.wsUrl);
      tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 5, y: 6, extra: 'x' }, smuggled: { a: 1 } } as Record<string, unknown>);
      await client.next('input');
      const raw = client.received[client.received.length - 1]!.raw as string;
      expect(JSON.parse(raw)).toEqual({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 5, y: 6 } });
      client.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 800, height: 600, primary: true, note: 'x' }], streaming: 0, more: 1 } as Record<string, unknown>);
      await tech.next('screen-info');
      expect(tech.received[tech.received.length - 1]!.raw).not.toMatch(/note|more/);
    });

    test.each([
      ['a FRAME with SEALED', () => { const f = encodeFrame(header(1, FrameFlag.FULL | FrameFlag.LAST), IMAGE); f[1] = 0x83; return f; }, 'client'],
      ['a FRAME with a reserved flag bit', () => { const f = encodeFrame(header(1, FrameFlag.LAST), IMAGE); f[1] = 0x06; return f; }, 'client'],
      ['a FRAME_ACK with SEALED', () => { const a = encodeFrameAck(1, 5); a[1] = 0x80; return a; }, 'technician'],
      ['a FRAME_ACK with any flag', () => { const a = encodeFrameAck(1, 5); a[1] = 0x01; return a; }, 'technician'],
    ] as const)('§6.5: the relay refuses %s (4000) instead of forwarding it', async (_what, make, from) => {
      const { client, tech } = await pairSession(relay.wsUrl);
      const sender = from === 'client' ? client : tech;
      const other = from === 'client' ? tech : client;
      sender.sendRaw(make());
      expect((await sender.until('error')).code).toBe(Errors.PROTO_MALFORMED.code);
      expect((await sender.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
      // The other side learns the session ended, and never saw the refused message.
      expect((await other.until('peer-left')).reason).toBe('error');
      expect(other.received.some((r) => r.kind === 'binary')).toBe(false);
    });

    test('§3.3: a technician that leaves while the customer is asked ends the session for the client (peer-left, 4008)', async () => {
      const client = await WsTestPeer.hello(relay.wsUrl, 'client');
      client.sendJson({ type: 'register', name: 'PC' });
      const { code } = await client.next('code');
      const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code, name: 'Ana' });
      await client.next('consent-request');
      tech.sendJson({ type: 'bye' });
      expect((await client.next('peer-left')).reason).toBe('bye');
      expect((await client.closed).code).toBe(CloseCode.SESSION_ENDED);
      expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 0 });
    });

    test('§3.3: a technician joining a legacy client is paired at once, without waiting-consent', async () => {
      const reg = await legacyCall(relay.url, 'register_client/', { client_id: 'PC-OLD_1', access_code: '482913' });
      expect(reg.status).toBe(200);
      const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code: '482913', name: 'Ana' });
      const first = await tech.next();
      expect(first.type).toBe('paired');
      const polled = await legacyCall(relay.url, 'receive_messages/', { session_id: reg.json.session_id, receiver: 'client' });
      expect(polled.json.messages[0].message).toMatchObject({ type: 'paired', peer_name: 'Ana' });
    });

    test('§8: a screen-info sent after a held frame reaches the technician before that frame', async () => {
      const { client, tech } = await pairSession(relay.wsUrl);
      // The technician stops reading: its socket backs up until the relay holds frames back
      // and, once it holds one, replaces it with each newer one (a drop).
      const socket = (tech.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      const big = new Uint8Array(256 * 1024);
      let seq = 0;
      const deadline = Date.now() + 10_000;
      while (relay.hub.stats().framesDropped === 0) {
        if (Date.now() > deadline) throw new Error('the relay never held a frame back');
        client.sendRaw(encodeFrame(header(seq++, FrameFlag.FULL | FrameFlag.LAST), big));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const heldSeq = seq - 1; // the newest frame is the one held
      client.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 1280, height: 720, primary: true }], streaming: 0 });
      socket.resume();
      const order: string[] = [];
      for (;;) {
        const item = await tech.nextAny(10_000);
        if (item.kind === 'text' && item.message.type === 'screen-info') order.push('screen-info');
        if (item.kind === 'binary' && item.message.kind === 'frame' && item.message.header.seq === heldSeq) {
          order.push('held frame');
          break;
        }
      }
      expect(order).toEqual(['screen-info', 'held frame']);
    });

    test('§10: invalid UTF-8 in a text message is closed by the transport with 1007', async () => {
      const peer = await WsTestPeer.hello(relay.wsUrl, 'client');
      peer.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
      expect((await peer.closed).code).toBe(CloseCode.TRANSPORT_INVALID_PAYLOAD);
    });

    test('§10: a frame that breaks RFC 6455 is closed by the transport with 1002', async () => {
      const peer = await WsTestPeer.hello(relay.wsUrl, 'client');
      // FIN + reserved opcode 0x3, masked, empty payload.
      (peer.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
      expect((await peer.closed).code).toBe(CloseCode.TRANSPORT_PROTOCOL_ERROR);
    });

    test('§8: a legacy technician is never given a partial rectangle; the client is asked for a full update', async () => {
      const client = await WsTestPeer.hello(relay.wsUrl, 'client');
      client.sendJson({ type: 'register', name: 'PC' });
      const { code } = await client.next('code');
      const joined = await legacyCall(relay.url, 'connect_technician/', { access_code: code, technician_name: 'Old' });
      await client.next('consent-request');
      client.sendJson({ type: 'consent', granted: true, viewOnly: false });
      expect((await client.next('paired')).peer.wholeFramesOnly).toBe(true);
      client.sendRaw(encodeFrame(header(1, FrameFlag.LAST, { x: 64, y: 64, width: 64, height: 64 }), IMAGE));
      expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'dropped' });
      // Nor a deflated-RGB image (format 3), though it covers the whole (small) screen: it reads JPEG and PNG only.
      client.sendRaw(encodeFrame(header(2, FrameFlag.FULL | FrameFlag.LAST, {
        format: ImageFormat.DEFLATED_RGB, width: 256, height: 256, screenWidth: 256, screenHeight: 256,
      }), IMAGE));
      expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'dropped' });
      client.sendRaw(encodeFrame(header(3, FrameFlag.FULL | FrameFlag.LAST), IMAGE));
      const screens: { width: number; height: number }[] = [];
      const deadline = Date.now() + 5000;
      while (screens.length === 0 && Date.now() < deadline) {
        const polled = await legacyCall(relay.url, 'receive_messages/', { session_id: joined.json.session_id, receiver: 'technician', wait_ms: 1000 });
        for (const m of polled.json.messages) if (m.message.type === 'screen') screens.push(m.message);
      }
      expect(screens).toEqual([expect.objectContaining({ width: 1920, height: 1080 })]);
      // Taking the whole screen is what acknowledges it to the client.
      expect((await client.nextBinary()).message).toMatchObject({ kind: 'frame-ack', seq: 3 });
    });
  });

  describe('with short handshake and idle times', () => {
    beforeEach(async () => {
      relay = await startTestRelay({ handshakeTimeoutMs: 200, idleTimeoutMs: 300 });
    });

    test('§2: no hello within the handshake time: RS_ERR_PROTO_HANDSHAKE_TIMEOUT, 4002', async () => {
      const peer = await WsTestPeer.connect(relay.wsUrl);
      expect((await peer.next('error', 5000)).code).toBe(Errors.PROTO_HANDSHAKE_TIMEOUT.code);
      expect((await peer.closed).code).toBe(CloseCode.HANDSHAKE_TIMEOUT);
    });

    test('§2: hello and nothing else: RS_ERR_TIMEOUT_IDLE, 4009, after the idle time', async () => {
      const started = Date.now();
      const peer = await WsTestPeer.hello(relay.wsUrl, 'technician');
      expect((await peer.next('error', 5000)).code).toBe(Errors.TIMEOUT_IDLE.code);
      expect((await peer.closed).code).toBe(CloseCode.TIMEOUT);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });
  });
});
