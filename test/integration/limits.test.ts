import { CloseCode, encodeFrame, Errors, FrameFlag, ImageFormat } from '../../protocol';
import type { Relay } from '../../relay/server';
import { eventually, startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/** A working session elsewhere on the relay must not notice any of the abuse below. */
async function assertStillServing(relay: Relay, pair: Awaited<ReturnType<typeof pairSession>>): Promise<void> {
  pair.tech.sendJson({ type: 'input', seq: 1, event: { kind: 'pointer-move', x: 1, y: 2 } });
  expect((await pair.client.next('input')).event).toEqual({ kind: 'pointer-move', x: 1, y: 2 });
  const fresh = await pairSession(relay.wsUrl);
  fresh.client.close();
}

describe('abuse limits', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('wrong codes are limited per address: after 5, even the right code is refused until the cool-down', async () => {
    relay = await startTestRelay({ codeAttemptsPerIp: 5, codeAttemptsGlobal: 1000 });
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC' });
    const { code } = await client.next('code');
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) {
      const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code: wrong, name: 'Guess' });
      expect((await tech.next('error')).code).toBe(Errors.CODE_INVALID.code);
    }
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'Guess' });
    expect((await tech.next('error')).code).toBe(Errors.CODE_ATTEMPTS.code);
    expect((await tech.closed).code).toBe(CloseCode.TOO_MANY_ATTEMPTS);
    // The customer's session was not touched by the blocked attempt.
    expect(relay.hub.counts().waiting).toBe(1);
  });

  test('wrong codes are limited globally, whatever the address', async () => {
    relay = await startTestRelay({ codeAttemptsPerIp: 1000, codeAttemptsGlobal: 3 });
    for (let i = 0; i < 3; i++) {
      const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code: '123456', name: 'Guess' });
      expect((await tech.next('error')).code).toBe(Errors.CODE_INVALID.code);
    }
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: '123456', name: 'Guess' });
    expect((await tech.next('error')).code).toBe(Errors.CODE_ATTEMPTS.code);
  });

  test('an oversized text message closes that socket with 4003; another session keeps working', async () => {
    relay = await startTestRelay({ maxTextBytes: 2048 });
    const other = await pairSession(relay.wsUrl);
    const { tech, client } = await pairSession(relay.wsUrl);
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'text', text: 'x'.repeat(3000) } });
    expect((await tech.next('error')).code).toBe(Errors.LIMIT_MESSAGE_SIZE.code);
    expect((await tech.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(await client.next('peer-left')).toEqual({ type: 'peer-left', reason: 'error' });
    await assertStillServing(relay, other);
  });

  test('an oversized frame closes with 4003, and one past the transport limit with 1009', async () => {
    relay = await startTestRelay({ maxFrameBytes: 100_000 });
    const other = await pairSession(relay.wsUrl);
    const header = {
      flags: FrameFlag.LAST, seq: 0, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
      x: 0, y: 0, width: 10, height: 10, screenWidth: 10, screenHeight: 10,
    };
    const a = await pairSession(relay.wsUrl);
    a.client.sendRaw(encodeFrame(header, new Uint8Array(120_000)));
    expect((await a.client.next('error')).code).toBe(Errors.LIMIT_MESSAGE_SIZE.code);
    expect((await a.client.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);

    const b = await pairSession(relay.wsUrl);
    b.client.sendRaw(encodeFrame(header, new Uint8Array(400_000)));
    expect((await b.client.closed).code).toBe(CloseCode.TRANSPORT_TOO_BIG);
    await assertStillServing(relay, other);
  });

  test('malformed messages get RS_ERR_PROTO_MALFORMED and close 4000; nobody else is affected', async () => {
    relay = await startTestRelay();
    const other = await pairSession(relay.wsUrl);
    const junk: (string | Uint8Array)[] = ['{not json', '[1,2,3]', '{"type":"input","seq":-1}', '{"type":"nope"}', new Uint8Array([9, 9, 9])];
    for (const message of junk) {
      const { tech, client } = await pairSession(relay.wsUrl);
      tech.sendRaw(message);
      expect((await tech.next('error')).code).toBe(Errors.PROTO_MALFORMED.code);
      expect((await tech.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
      await client.until('peer-left');
    }
    await assertStillServing(relay, other);
  });

  test('a technician sending a frame (a client-only message) is refused, not forwarded', async () => {
    relay = await startTestRelay();
    const { tech, client } = await pairSession(relay.wsUrl);
    tech.sendRaw(encodeFrame({
      flags: FrameFlag.LAST, seq: 0, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
      x: 0, y: 0, width: 1, height: 1, screenWidth: 1, screenHeight: 1,
    }, new Uint8Array(10)));
    expect((await tech.next('error')).code).toBe(Errors.PROTO_MALFORMED.code);
    expect(await client.next('peer-left')).toEqual({ type: 'peer-left', reason: 'error' });
  });

  test('a message not allowed in the current state gets RS_ERR_PROTO_UNEXPECTED and the socket stays usable', async () => {
    relay = await startTestRelay();
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 0, y: 0 } });
    expect((await client.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    client.sendJson({ type: 'join', code: '123456', name: 'x' });
    expect((await client.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    client.sendJson({ type: 'register', name: 'PC' });
    expect((await client.next('code')).code).toMatch(/^[0-9]{6}$/);
  });

  test('a peer over the message rate is closed with 4004', async () => {
    relay = await startTestRelay({ maxMessagesPerSecond: 20 });
    const other = await pairSession(relay.wsUrl);
    const { tech } = await pairSession(relay.wsUrl);
    for (let i = 0; i < 200; i++) tech.sendJson({ type: 'input', seq: i, event: { kind: 'pointer-move', x: i, y: 0 } });
    expect((await tech.until('error')).code).toBe(Errors.LIMIT_RATE.code);
    expect((await tech.closed).code).toBe(CloseCode.RATE_LIMITED);
    // The limit is per socket: the other session is free to send.
    other.tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 3, y: 4 } });
    expect((await other.client.next('input')).event).toEqual({ kind: 'pointer-move', x: 3, y: 4 });
  });

  test('a peer that never says hello is closed with 4002', async () => {
    relay = await startTestRelay({ handshakeTimeoutMs: 50 });
    const peer = await WsTestPeer.connect(relay.wsUrl);
    expect((await peer.next('error')).code).toBe(Errors.PROTO_HANDSHAKE_TIMEOUT.code);
    expect((await peer.closed).code).toBe(CloseCode.HANDSHAKE_TIMEOUT);
  });

  test('a peer that says hello but never registers or joins is closed with 4009', async () => {
    relay = await startTestRelay({ idleTimeoutMs: 50 });
    const peer = await WsTestPeer.hello(relay.wsUrl, 'technician');
    expect((await peer.next('error')).code).toBe(Errors.TIMEOUT_IDLE.code);
    expect((await peer.closed).code).toBe(CloseCode.TIMEOUT);
  });

  test('the relay refuses sockets beyond maxSockets with 4010, and serves again once one leaves', async () => {
    relay = await startTestRelay({ maxSockets: 2 });
    const a = await WsTestPeer.hello(relay.wsUrl, 'client');
    await WsTestPeer.hello(relay.wsUrl, 'client');
    const c = await WsTestPeer.connect(relay.wsUrl);
    expect((await c.next('error')).code).toBe(Errors.LIMIT_SERVER_FULL.code);
    expect((await c.closed).code).toBe(CloseCode.SERVER_FULL);
    a.close();
    await a.closed;
    await eventually(() => relay.connections.size < 2, 5000, 'the relay to see the socket close');
    await WsTestPeer.hello(relay.wsUrl, 'client');
  });
});
