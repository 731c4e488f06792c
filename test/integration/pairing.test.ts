import {
  CloseCode, encodeFrame, encodeFrameAck, Errors, FrameFlag, ImageFormat, type FrameHeader, type InputEvent,
} from '../../protocol';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

function header(seq: number, flags: number = FrameFlag.LAST): FrameHeader {
  return {
    flags, seq, captureTimeMs: 1_700_000_000_000 + seq, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 64, height: 64, screenWidth: 1920, screenHeight: 1080,
  };
}

function fakeImage(seq: number, size = 1000): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (seq * 31 + i) & 0xff;
  return bytes;
}

describe('pairing by code over WebSocket', () => {
  let relay: Relay;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    await relay.close();
  });

  test('a client gets a 6-digit code, a technician joins with it, the customer is asked and both are paired', async () => {
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC-MARIA' });
    const code = await client.next('code');
    expect(code.code).toMatch(/^[0-9]{6}$/);
    expect(code.ttlMs).toBe(10 * 60_000);

    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: code.code, name: 'Juan (CompuEasys)' });
    await tech.next('waiting-consent');
    const ask = await client.next('consent-request');
    expect(ask.technicianName).toBe('Juan (CompuEasys)');

    client.sendJson({ type: 'consent', granted: true, viewOnly: false });
    const cp = await client.next('paired');
    const tp = await tech.next('paired');
    expect(cp.peer.name).toBe('Juan (CompuEasys)');
    expect(tp.peer.name).toBe('PC-MARIA');
    expect(tp.peer.wholeFramesOnly).toBe(false);
    expect(cp.sessionId).toBe(tp.sessionId);
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('frames flow client → technician as the same bytes, in order; acks flow back', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    const sent: Uint8Array[] = [];
    for (let seq = 0; seq < 50; seq++) {
      const frame = encodeFrame(header(seq, seq === 0 ? FrameFlag.FULL | FrameFlag.LAST : FrameFlag.LAST), fakeImage(seq));
      sent.push(frame);
      client.sendRaw(frame);
    }
    for (let seq = 0; seq < 50; seq++) {
      const { raw, message } = await tech.nextBinary();
      expect(message.kind).toBe('frame');
      expect(Buffer.compare(raw, Buffer.from(sent[seq]!))).toBe(0);
    }
    tech.sendRaw(encodeFrameAck(49, 1_700_000_000_049));
    const ack = await client.nextBinary();
    expect(ack.message).toEqual({ kind: 'frame-ack', seq: 49, captureTimeMs: 1_700_000_000_049 });
  });

  test('input events flow technician → client in order and unchanged, interleaved with frames', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    const texts = ['¿Añadir el último pingüino? ¡Sí! 10 €', '日本語 🙂', 'a'];
    for (let i = 0; i < 200; i++) {
      client.sendRaw(encodeFrame(header(i), fakeImage(i, 20_000)));
      const event: InputEvent = i % 3 === 0 ? { kind: 'text', text: texts[i % texts.length]! }
        : i % 3 === 1 ? { kind: 'pointer-move', x: i, y: i * 2 }
          : { kind: 'key-down', code: 'KeyA', key: 'a', modifiers: { ctrl: true, alt: false, shift: false, meta: false } };
      tech.sendJson({ type: 'input', seq: i, event });
    }
    for (let i = 0; i < 200; i++) {
      const input = await client.next('input');
      expect(input.seq).toBe(i);
      if (i % 3 === 0) expect(input.event).toEqual({ kind: 'text', text: texts[i % texts.length] });
    }
    for (let i = 0; i < 200; i++) expect((await tech.nextBinary()).message.kind).toBe('frame');
  });

  test('screen-info reaches the technician; refresh and quality reach the client', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    client.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true }], streaming: 0 });
    expect((await tech.next('screen-info')).displays[0]!.width).toBe(1920);
    tech.sendJson({ type: 'refresh', reason: 'requested' });
    tech.sendJson({ type: 'quality', mode: 'fixed', value: 55 });
    expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'requested' });
    expect(await client.next('quality')).toEqual({ type: 'quality', mode: 'fixed', value: 55 });
  });

  test('a second technician with the same code is refused, and the answer is the same as for a wrong code', async () => {
    const { code } = await pairSession(relay.wsUrl);
    const second = await WsTestPeer.hello(relay.wsUrl, 'technician');
    second.sendJson({ type: 'join', code, name: 'Intruder' });
    const spent = await second.next('error');
    const spentClose = await second.closed;

    const wrong = await WsTestPeer.hello(relay.wsUrl, 'technician');
    wrong.sendJson({ type: 'join', code: code === '000000' ? '000001' : '000000', name: 'Guess' });
    const unknown = await wrong.next('error');
    const unknownClose = await wrong.closed;

    expect(spent).toEqual({ type: 'error', code: Errors.CODE_INVALID.code, message: Errors.CODE_INVALID.message });
    expect(unknown).toEqual(spent);
    expect(spentClose).toEqual(unknownClose);
    expect(spentClose.code).toBe(CloseCode.INVALID_CODE);
  });

  test('when the customer declines, the technician is sent away and the customer gets a fresh code', async () => {
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC' });
    const first = await client.next('code');
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: first.code, name: 'Tech' });
    await client.next('consent-request');
    client.sendJson({ type: 'consent', granted: false, viewOnly: false });
    expect((await tech.until('error')).code).toBe(Errors.CONSENT_DENIED.code);
    expect((await tech.closed).code).toBe(CloseCode.CONSENT_DENIED);
    expect((await client.next('error')).code).toBe(Errors.CONSENT_DENIED.code);
    const fresh = await client.next('code');
    expect(fresh.code).toMatch(/^[0-9]{6}$/);
    expect(fresh.code).not.toBe(first.code);

    // The fresh code works; the old one is spent.
    const again = await WsTestPeer.hello(relay.wsUrl, 'technician');
    again.sendJson({ type: 'join', code: fresh.code, name: 'Tech' });
    await again.next('waiting-consent');
  });

  test('view-only: input from the technician is refused by the relay and never reaches the client', async () => {
    const { client, tech } = await pairSession(relay.wsUrl, { viewOnly: true });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 5, y: 5 } });
    const err = await tech.next('error');
    expect(err.code).toBe(Errors.SESSION_VIEW_ONLY.code);
    // Frames still flow, and the first thing the client hears next is the refresh, not the input.
    tech.sendJson({ type: 'refresh', reason: 'requested' });
    expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'requested' });
    expect(client.pending).toBe(0);
  });

  test('bye from the technician: the client is told at once and the session ends; the code stays spent', async () => {
    const { client, tech, code } = await pairSession(relay.wsUrl);
    tech.sendJson({ type: 'bye' });
    expect(await client.next('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect((await client.closed).code).toBe(CloseCode.SESSION_ENDED);
    expect((await tech.closed).code).toBe(CloseCode.NORMAL);
    expect(relay.hub.counts().paired).toBe(0);

    const late = await WsTestPeer.hello(relay.wsUrl, 'technician');
    late.sendJson({ type: 'join', code, name: 'Late' });
    expect((await late.next('error')).code).toBe(Errors.CODE_INVALID.code);
  });

  test('the client closing its socket tells the technician at once', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    client.close();
    expect(await tech.next('peer-left')).toEqual({ type: 'peer-left', reason: 'closed' });
    expect((await tech.closed).code).toBe(CloseCode.SESSION_ENDED);
  });

  test('a peer announcing an unsupported version is refused with its code', async () => {
    const peer = await WsTestPeer.connect(relay.wsUrl);
    peer.sendJson({ type: 'hello', version: 99, role: 'client' });
    expect((await peer.next('error')).code).toBe(Errors.PROTO_VERSION.code);
    expect((await peer.closed).code).toBe(CloseCode.UNSUPPORTED_VERSION);
  });

  test('many sessions at once stay apart', async () => {
    const sessions = await Promise.all(Array.from({ length: 20 }, () => pairSession(relay.wsUrl)));
    sessions.forEach(({ client }, i) => client.sendRaw(encodeFrame(header(i), fakeImage(i, 500 + i))));
    for (const [i, { tech }] of sessions.entries()) {
      const { message } = await tech.nextBinary();
      expect(message.kind === 'frame' && message.header.seq).toBe(i);
      expect(message.kind === 'frame' && message.image.byteLength).toBe(500 + i);
    }
    expect(relay.hub.counts().paired).toBe(20);
  });
});
