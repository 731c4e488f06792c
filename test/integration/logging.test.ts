import { Writable } from 'node:stream';
import pino from 'pino';
import { encodeFrame, FrameFlag, ImageFormat } from '../../protocol';
import { createRelay, type Relay } from '../../relay/server';
import { legacyCall } from '../support/relay-harness';
import { helloSealed, pairSealed } from '../support/sealed-peers';
import { pairSession, WsTestPeer } from '../support/ws-peer';

describe('logs', () => {
  let relay: Relay;
  const lines: string[] = [];
  const ADMIN = 'admin-token-0123456789';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    relay = await createRelay({
      options: { port: 0, host: '127.0.0.1', adminToken: ADMIN },
      logger: pino({ level: 'trace' }, sink),
    });
  });
  afterAll(async () => {
    await relay.close();
  });

  test('never contain an access code, a legacy credential, a token or frame bytes, even at trace level', async () => {
    const { client, tech, code, sessionId } = await pairSession(relay.wsUrl);
    const marker = Buffer.from('FRAME-BYTES-MARKER-0123456789');
    client.sendRaw(encodeFrame({
      flags: FrameFlag.FULL | FrameFlag.LAST, seq: 0, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG,
      rectIndex: 0, x: 0, y: 0, width: 1, height: 1, screenWidth: 1, screenHeight: 1,
    }, marker));
    await tech.nextBinary();
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'text', text: 'secret typed text' } });
    await client.next('input');
    const wrong = await WsTestPeer.hello(relay.wsUrl, 'technician');
    wrong.sendJson({ type: 'join', code: '000123', name: 'guess' });
    await wrong.closed;

    const legacy = await legacyCall(relay.url, 'register_client/', { client_id: 'PC-LOG', access_code: '246810' });
    await legacyCall(relay.url, 'connect_technician/', { access_code: '246810' });
    await legacyCall(relay.url, 'list_sessions/', undefined, { headers: { authorization: `Bearer ${ADMIN}` } });
    await legacyCall(relay.url, 'disconnect/', { session_id: legacy.json.session_id });
    tech.close();
    await client.closed;

    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(5); // the logger did run
    for (const secret of [code, '246810', legacy.json.session_id, ADMIN, '000123', marker.toString(), marker.toString('base64'), 'secret typed text']) {
      expect(text).not.toContain(secret);
    }
    // The id `paired` gives both sides is the log tag, not a credential: support can find
    // the session's lines by it.
    expect(text).toContain(`"sessionId":"${sessionId}"`);
  });

  test('never contain a resume credential: given, used, replayed or guessed', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl, { features: ['resume'] });
    const tokens = (peer: WsTestPeer): string[] => peer.received.flatMap((r) => (r.kind === 'text' && r.message.type === 'resume-token' ? [r.message.token] : []));
    const given = [...tokens(client.peer), ...tokens(tech.peer)];
    expect(given).toHaveLength(2);
    (client.peer.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    await tech.peer.next('peer-away');
    const back = await helloSealed(relay.wsUrl, 'client', ['resume']);
    back.sendJson({ type: 'resume', token: given[0]! });
    await back.next('resumed');
    given.push((await back.next('resume-token')).token);
    const replay = await helloSealed(relay.wsUrl, 'client', ['resume']);
    replay.sendJson({ type: 'resume', token: given[0]! });
    await replay.closed;
    const guess = 'Z'.repeat(42) + 'w';
    const guesser = await helloSealed(relay.wsUrl, 'technician', ['resume']);
    guesser.sendJson({ type: 'resume', token: guess });
    await guesser.closed;
    back.sendJson({ type: 'bye' });
    await tech.peer.closed;

    const text = lines.join('');
    expect(text).toContain('side resumed');
    expect(text).toContain('resume refused');
    for (const secret of [...given, guess]) expect(text).not.toContain(secret);
  });
});
