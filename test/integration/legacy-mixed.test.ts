import sharp from 'sharp';
import {
  CloseCode, encodeFrame, FrameFlag, ImageFormat, NO_MODIFIERS, type FrameHeader, type InputEvent,
} from '../../protocol';
import { ManualClock } from '../../relay/clock';
import type { RelayOptions } from '../../relay/options';
import type { Relay } from '../../relay/server';
import { legacyCall, legacyRefusal, startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Mixed sessions: an old polling peer (the Python .exe, through /api/relay/*) paired with
 * a WebSocket peer, both ways round. Real relay, real HTTP, real sockets.
 */

type Role = 'client' | 'technician';
interface Envelope {
  sender: 'client' | 'technician' | 'relay';
  message: Record<string, any>;
}

async function jpeg(width: number, height: number, r: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g: 90, b: 160 } } }).jpeg({ quality: 75 }).toBuffer();
}

let relay: Relay;
const sockets: WsTestPeer[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await relay.close();
});

async function ws(role: Role): Promise<WsTestPeer> {
  const peer = await WsTestPeer.hello(relay.wsUrl, role);
  sockets.push(peer);
  return peer;
}

/** Replaces the relay of this test by one with other options (and maybe a manual clock). */
async function restart(options: Partial<RelayOptions>, clock?: ManualClock): Promise<void> {
  await relay.close();
  relay = await startTestRelay(options, clock);
}

function call(path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return legacyCall(relay.url, path, body);
}

async function receive(sessionId: string, receiver: Role, waitMs = 0): Promise<Envelope[]> {
  const r = await call('receive_messages/', { session_id: sessionId, receiver, wait_ms: waitMs });
  if (r.status !== 200) throw new Error(`receive_messages answered ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.messages as Envelope[];
}

/** Long-polls until at least `count` messages came (a bounded number of polls). */
async function receiveAtLeast(sessionId: string, receiver: Role, count: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for (let polls = 0; polls < 10 && out.length < count; polls++) out.push(...await receive(sessionId, receiver, 2000));
  return out;
}

function frameHeader(seq: number, width: number, height: number, captureTimeMs: number): FrameHeader {
  return {
    flags: FrameFlag.FULL | FrameFlag.LAST, seq, captureTimeMs, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width, height, screenWidth: width, screenHeight: height,
  };
}

describe('a legacy client with a WebSocket technician', () => {
  async function setUp(code = '385621'): Promise<{ sessionId: string; tech: WsTestPeer }> {
    const reg = await call('register_client/', { client_id: 'PC-CLIENTE-123_1732563245', access_code: code });
    expect(reg.status).toBe(200);
    const sessionId = reg.json.session_id as string;
    const tech = await ws('technician');
    tech.sendJson({ type: 'join', code, name: 'Ana (CompuEasys)' });
    // A legacy client chose its code and read it out: that is its consent, no consent step.
    const paired = await tech.next('paired');
    expect(paired.viewOnly).toBe(false);
    expect(paired.peer).toEqual({ name: 'PC-CLIENTE-123_1732563245', legacy: true, wholeFramesOnly: false });
    expect(await receive(sessionId, 'client')).toEqual([
      { sender: 'relay', message: { type: 'paired', view_only: false, peer_name: 'Ana (CompuEasys)' } },
    ]);
    return { sessionId, tech };
  }

  test('the posted base64 JPEG reaches the technician as a full FRAME with the same bytes and its size', async () => {
    const { sessionId, tech } = await setUp();
    const first = await jpeg(64, 48, 30);
    const second = await jpeg(80, 60, 220);
    for (const image of [first, second]) {
      const sent = await call('send_message/', { session_id: sessionId, sender: 'client', message: { type: 'screen', data: image.toString('base64') } });
      expect(sent).toEqual({ status: 200, json: { success: true, delivered: true } });
    }
    const seqs: number[] = [];
    for (const [image, width, height] of [[first, 64, 48], [second, 80, 60]] as const) {
      const { message } = await tech.nextBinary();
      if (message.kind !== 'frame') throw new Error(`expected a frame, got ${message.kind}`);
      expect(message.header).toEqual(expect.objectContaining({
        flags: FrameFlag.FULL | FrameFlag.LAST, format: ImageFormat.JPEG, x: 0, y: 0,
        width, height, screenWidth: width, screenHeight: height,
      }));
      expect(Buffer.from(message.image).equals(image)).toBe(true);
      seqs.push(message.header.seq);
    }
    expect(seqs[1]).toBe(seqs[0]! + 1);
  });

  test('a posted screen that is not an image is refused (400) and nothing reaches the technician', async () => {
    const { sessionId, tech } = await setUp('385622');
    const refused = await call('send_message/', {
      session_id: sessionId, sender: 'client', message: { type: 'screen', data: Buffer.from('no soy una imagen').toString('base64') },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('RS_ERR_HTTP_BAD_REQUEST');
    const image = await jpeg(16, 16, 5);
    await call('send_message/', { session_id: sessionId, sender: 'client', message: { type: 'screen', data: image.toString('base64') } });
    const { message } = await tech.nextBinary(); // the next thing the technician sees is the good image
    expect(message.kind === 'frame' && Buffer.from(message.image).equals(image)).toBe(true);
  });

  test('technician input reaches the legacy client as the old action messages, in order, once each', async () => {
    const { sessionId, tech } = await setUp();
    const mods = { ctrl: true, alt: false, shift: false, meta: false };
    const events: InputEvent[] = [
      { kind: 'click', button: 'left', x: 10, y: 20 },
      { kind: 'click', button: 'right', x: 1919, y: 1079 },
      { kind: 'key-down', code: 'KeyC', key: 'c', modifiers: mods },
      { kind: 'key-up', code: 'KeyC', key: 'c', modifiers: mods },
      { kind: 'text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' },
      { kind: 'key-down', code: 'Enter', key: 'Enter', modifiers: NO_MODIFIERS },
    ];
    events.forEach((event, seq) => tech.sendJson({ type: 'input', seq, event }));

    const got = await receiveAtLeast(sessionId, 'client', events.length);
    expect(got).toEqual([
      { sender: 'technician', message: { action: 'mouse_click', x: 10, y: 20, button: 'left' } },
      { sender: 'technician', message: { action: 'mouse_click', x: 1919, y: 1079, button: 'right' } },
      { sender: 'technician', message: { action: 'key_down', key: 'c', code: 'KeyC', modifiers: mods } },
      { sender: 'technician', message: { action: 'key_up', key: 'c', code: 'KeyC', modifiers: mods } },
      { sender: 'technician', message: { action: 'type_text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' } },
      { sender: 'technician', message: { action: 'key_down', key: 'Enter', code: 'Enter', modifiers: NO_MODIFIERS } },
    ]);
    expect(await receive(sessionId, 'client')).toEqual([]);
  });

  test('the technician closing its socket: the legacy client hears peer_left, then 410', async () => {
    const { sessionId, tech } = await setUp();
    tech.close();
    expect(await receiveAtLeast(sessionId, 'client', 1)).toEqual([
      { sender: 'relay', message: { type: 'peer_left', reason: 'closed' } },
    ]);
    expect(await call('receive_messages/', { session_id: sessionId, receiver: 'client' })).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));
  });

  test('a legacy client that stops polling (PC switched off): the technician is told and its socket closes', async () => {
    const clock = new ManualClock();
    await restart({ legacyPollTimeoutMs: 30_000 }, clock);
    const { tech } = await setUp();
    clock.advance(30_000);
    relay.sweep();
    expect(await tech.next('peer-left')).toEqual({ type: 'peer-left', reason: 'timeout' });
    expect((await tech.closed).code).toBe(CloseCode.SESSION_ENDED);
    expect(relay.hub.counts().paired).toBe(0);
  });

  test('a legacy client that never reads its input: the session ends at maxLegacyQueue, and the queued input is dropped', async () => {
    await restart({ maxLegacyQueue: 3 });
    const { sessionId, tech } = await setUp();
    for (let seq = 0; seq < 5; seq++) tech.sendJson({ type: 'input', seq, event: { kind: 'click', button: 'left', x: seq, y: seq } });
    expect((await tech.until('error')).code).toBe('RS_ERR_LIMIT_BACKLOG');
    expect((await tech.closed).code).toBe(CloseCode.BACKLOG);
    // The input queued before the end is not handed over afterwards: an old client must not
    // click away after its session is over. It learns why the session ended, and nothing else.
    const got = await receive(sessionId, 'client');
    expect(got.map((e) => e.message.action ?? e.message.code)).toEqual(['RS_ERR_LIMIT_BACKLOG']);
    expect(await call('receive_messages/', { session_id: sessionId, receiver: 'client' })).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));
  });

  test('the legacy client disconnecting: the technician hears peer-left and its socket closes with 4008', async () => {
    const { sessionId, tech } = await setUp();
    expect((await call('disconnect/', { session_id: sessionId })).status).toBe(200);
    expect(await tech.next('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect((await tech.closed).code).toBe(CloseCode.SESSION_ENDED);
  });
});

describe('a WebSocket client with a legacy technician', () => {
  async function setUp(viewOnly = false): Promise<{ sessionId: string; client: WsTestPeer }> {
    const client = await ws('client');
    client.sendJson({ type: 'register', name: 'PC-LUCIA' });
    const { code } = await client.next('code');

    const joined = await call('connect_technician/', { access_code: code, technician_name: 'Pedro (CompuEasys)' });
    expect(joined.status).toBe(200);
    expect(joined.json).toEqual({ success: true, session_id: expect.stringMatching(/^session_/), status: 'pending_consent' });
    const sessionId = joined.json.session_id as string;

    const ask = await client.next('consent-request');
    expect(ask.technicianName).toBe('Pedro (CompuEasys)');
    expect(await receive(sessionId, 'technician')).toEqual([
      { sender: 'relay', message: { type: 'waiting_consent', timeout_ms: expect.any(Number) } },
    ]);
    // No input before the customer said yes.
    const early = await call('send_message/', { session_id: sessionId, sender: 'technician', message: { action: 'mouse_click', x: 1, y: 1, button: 'left' } });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('RS_ERR_PROTO_UNEXPECTED');

    client.sendJson({ type: 'consent', granted: true, viewOnly });
    const paired = await client.next('paired');
    expect(paired.peer).toEqual({ name: 'Pedro (CompuEasys)', legacy: true, wholeFramesOnly: true });
    expect(paired.viewOnly).toBe(viewOnly);
    expect(await receiveAtLeast(sessionId, 'technician', 1)).toEqual([
      { sender: 'relay', message: { type: 'paired', view_only: viewOnly, peer_name: 'PC-LUCIA' } },
    ]);
    return { sessionId, client };
  }

  test('a full FRAME reaches the legacy technician as a base64 screen of exactly those bytes; reading it acks it', async () => {
    const { sessionId, client } = await setUp();
    const image = await jpeg(64, 48, 140);
    const captureTimeMs = 1_700_000_123_456.5;
    client.sendRaw(encodeFrame(frameHeader(7, 64, 48, captureTimeMs), image));
    // A message the relay refuses (a client may not ask for a refresh) comes back right away:
    // if the frame had been acknowledged on arrival, that ack would be read before this error.
    client.sendJson({ type: 'refresh', reason: 'requested' });
    expect((await client.next('error')).code).toBe('RS_ERR_PROTO_UNEXPECTED');

    expect(await receiveAtLeast(sessionId, 'technician', 1)).toEqual([
      { sender: 'client', message: { type: 'screen', data: image.toString('base64'), format: 'jpeg', width: 64, height: 48 } },
    ]);
    const { message } = await client.nextBinary();
    expect(message).toEqual({ kind: 'frame-ack', seq: 7, captureTimeMs });
    expect(await receive(sessionId, 'technician')).toEqual([]);
  });

  test("the client's screen-info reaches the legacy technician as the old screen_info message", async () => {
    const { sessionId, client } = await setUp();
    const displays = [
      { id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true },
      { id: 1, x: 1920, y: 0, width: 1280, height: 1024, primary: false },
    ];
    client.sendJson({ type: 'screen-info', displays, streaming: 1 });
    expect(await receiveAtLeast(sessionId, 'technician', 1)).toEqual([
      { sender: 'client', message: { type: 'screen_info', width: 1280, height: 1024, displays } },
    ]);
  });

  test('frames the legacy technician did not read yet are replaced by the newest one', async () => {
    const { sessionId, client } = await setUp();
    const images = [await jpeg(32, 24, 1), await jpeg(32, 24, 100), await jpeg(32, 24, 200)];
    images.forEach((image, i) => client.sendRaw(encodeFrame(frameHeader(i + 1, 32, 24, 1_700_000_000_000 + i), image)));
    client.sendJson({ type: 'refresh', reason: 'requested' }); // answered after the three frames were handled
    await client.next('error');
    const got = await receive(sessionId, 'technician');
    expect(got).toEqual([
      { sender: 'client', message: expect.objectContaining({ type: 'screen', data: images[2]!.toString('base64') }) },
    ]);
    // The one ack is for the newest update; acks are cumulative, so it frees the older ones too.
    const { message } = await client.nextBinary();
    expect(message).toEqual(expect.objectContaining({ kind: 'frame-ack', seq: 3 }));
  });

  test("the legacy technician's actions reach the client as protocol input events, in order", async () => {
    const { sessionId, client } = await setUp();
    const actions = [
      { action: 'mouse_click', x: 400, y: 300, button: 'left' },
      { action: 'type_text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' },
      { action: 'key_press', key: 'Enter' },
    ];
    for (const message of actions) {
      const r = await call('send_message/', { session_id: sessionId, sender: 'technician', message });
      expect(r).toEqual({ status: 200, json: { success: true, delivered: true } });
    }
    const received = [await client.next('input'), await client.next('input'), await client.next('input'), await client.next('input')];
    expect(received.map((m) => m.event)).toEqual([
      { kind: 'click', x: 400, y: 300, button: 'left' },
      { kind: 'text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' },
      { kind: 'key-down', key: 'Enter', code: '', modifiers: NO_MODIFIERS },
      { kind: 'key-up', key: 'Enter', code: '', modifiers: NO_MODIFIERS },
    ]);
    expect(received.map((m) => m.seq)).toEqual([0, 1, 2, 3]);

    // An action the relay cannot translate is refused instead of reaching the client as garbage.
    const unknown = await call('send_message/', { session_id: sessionId, sender: 'technician', message: { action: 'open_chat' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('RS_ERR_HTTP_BAD_REQUEST');
    expect((await call('disconnect/', { session_id: sessionId })).status).toBe(200);
    expect(await client.next()).toEqual({ type: 'peer-left', reason: 'bye' }); // nothing came in between
  });

  test('view-only: the legacy technician sees but its input is refused (403) and never reaches the client', async () => {
    const { sessionId, client } = await setUp(true);
    const refused = await call('send_message/', {
      session_id: sessionId, sender: 'technician', message: { action: 'mouse_click', x: 400, y: 300, button: 'left' },
    });
    expect(refused).toEqual(legacyRefusal(403, 'RS_ERR_SESSION_VIEW_ONLY'));
    const typed = await call('send_message/', { session_id: sessionId, sender: 'technician', message: { action: 'type_text', text: 'rm' } });
    expect(typed).toEqual(legacyRefusal(403, 'RS_ERR_SESSION_VIEW_ONLY'));

    // Screens still flow.
    const image = await jpeg(64, 48, 9);
    client.sendRaw(encodeFrame(frameHeader(1, 64, 48, 1_700_000_000_000), image));
    expect(await receiveAtLeast(sessionId, 'technician', 1)).toEqual([
      { sender: 'client', message: expect.objectContaining({ type: 'screen', data: image.toString('base64') }) },
    ]);
    expect((await client.nextBinary()).message.kind).toBe('frame-ack');

    // Messages arrive in order: had the refused input been forwarded, it would come before this.
    expect((await call('disconnect/', { session_id: sessionId })).status).toBe(200);
    expect(await client.next()).toEqual({ type: 'peer-left', reason: 'bye' });
  });

  test('the legacy technician disconnecting: the client hears peer-left and its socket closes with 4008', async () => {
    const { sessionId, client } = await setUp();
    expect(await call('disconnect/', { session_id: sessionId })).toEqual({ status: 200, json: { success: true } });
    expect(await client.next('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect((await client.closed).code).toBe(CloseCode.SESSION_ENDED);
    const after = await call('send_message/', {
      session_id: sessionId, sender: 'technician', message: { action: 'mouse_click', x: 1, y: 1, button: 'left' },
    });
    expect(after.status).toBe(410);
    expect(after.json.error.code).toBe('RS_ERR_SESSION_ENDED');
  });

  test('the customer declining: the legacy technician is told why, and the customer gets a fresh code', async () => {
    const client = await ws('client');
    client.sendJson({ type: 'register', name: 'PC-LUCIA' });
    const { code } = await client.next('code');
    const joined = await call('connect_technician/', { access_code: code, technician_name: 'Pedro' });
    await client.next('consent-request');
    client.sendJson({ type: 'consent', granted: false, viewOnly: false });
    expect((await client.next('error')).code).toBe('RS_ERR_CONSENT_DENIED');
    const fresh = await client.next('code');
    expect(fresh.code).not.toBe(code);

    const sessionId = joined.json.session_id as string;
    expect(await receiveAtLeast(sessionId, 'technician', 2)).toEqual([
      { sender: 'relay', message: { type: 'waiting_consent', timeout_ms: expect.any(Number) } },
      { sender: 'relay', message: { type: 'error', code: 'RS_ERR_CONSENT_DENIED', message: expect.any(String) } },
    ]);
    expect(await call('receive_messages/', { session_id: sessionId, receiver: 'technician' })).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));

    // Another (legacy) technician can join with the fresh code and is asked about anew,
    // under an id of its own: the refused one's id stays dead.
    const again = await call('connect_technician/', { access_code: fresh.code, technician_name: 'Marta' });
    expect(again.json).toEqual(expect.objectContaining({ session_id: expect.stringMatching(/^session_/), status: 'pending_consent' }));
    expect(again.json.session_id).not.toBe(sessionId);
    expect((await client.next('consent-request')).technicianName).toBe('Marta');
    expect((await call('receive_messages/', { session_id: sessionId, receiver: 'technician' })).status).toBe(410);
  });
});
