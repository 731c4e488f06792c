import sharp from 'sharp';
import { ManualClock } from '../../relay/clock';
import type { RelayOptions } from '../../relay/options';
import type { Relay } from '../../relay/server';
import { eventually, legacyCall, legacyRefusal, startTestRelay } from '../support/relay-harness';

/**
 * The old polling API (`/api/relay/*`) spoken by the Python client and technician .exe,
 * through real HTTP against a real relay: two legacy peers paired with each other.
 * Mixed pairs (a legacy peer with a WebSocket one) are in legacy-mixed.test.ts.
 */

type Role = 'client' | 'technician';
interface Envelope {
  sender: 'client' | 'technician' | 'relay';
  message: Record<string, any>;
}

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const OLD_CLIENT_ID = 'PC-CLIENTE-123_1732563245';

/** A real JPEG, as the old client posts base64 screenshots. */
async function jpeg(width: number, height: number, r: number, g = 40, b = 90): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).jpeg({ quality: 80 }).toBuffer();
}

let relay: Relay | undefined;

async function start(options: Partial<RelayOptions> = {}, clock?: ManualClock): Promise<Relay> {
  relay = await startTestRelay(options, clock);
  return relay;
}

afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

function call(path: string, body?: unknown, init?: RequestInit): Promise<{ status: number; json: any }> {
  return legacyCall(relay!.url, path, body, init);
}

async function receive(sessionId: string, receiver: Role, waitMs = 0): Promise<Envelope[]> {
  const r = await call('receive_messages/', { session_id: sessionId, receiver, wait_ms: waitMs });
  if (r.status !== 200) throw new Error(`receive_messages answered ${r.status} ${JSON.stringify(r.json)}`);
  expect(r.json.success).toBe(true);
  return r.json.messages as Envelope[];
}

async function send(sessionId: string, sender: Role, message: Record<string, unknown>): Promise<{ status: number; json: any }> {
  return call('send_message/', { session_id: sessionId, sender, message });
}

async function register(code: string, clientId = OLD_CLIENT_ID): Promise<string> {
  const r = await call('register_client/', { client_id: clientId, access_code: code });
  expect(r).toEqual({ status: 200, json: expect.objectContaining({ success: true, session_id: expect.stringMatching(/^session_/) }) });
  return r.json.session_id as string;
}

/** Each old program's own `session_id`: the one its own call returned. */
type PeerIds = Record<Role, string>;

/** An old client and an old technician paired by `code`; the two 'paired' notices are read. */
async function legacyPair(code: string, clientId = OLD_CLIENT_ID): Promise<PeerIds> {
  const client = await register(code, clientId);
  const joined = await call('connect_technician/', { access_code: code });
  expect(joined.status).toBe(200);
  const technician = joined.json.session_id as string;
  // Each side gets its own credential: neither can speak for the other.
  expect(technician).toMatch(/^session_[0-9a-f]{32}$/);
  expect(technician).not.toBe(client);
  expect(await receive(client, 'client')).toEqual([{ sender: 'relay', message: expect.objectContaining({ type: 'paired' }) }]);
  expect(await receive(technician, 'technician')).toEqual([{ sender: 'relay', message: expect.objectContaining({ type: 'paired' }) }]);
  return { client, technician };
}

/**
 * True while a long poll of that peer is held open by the relay. Only used to know the
 * request has arrived before the test acts; the assertions are on what the poll returns.
 */
function isPolling(peerId: string): boolean {
  return relay!.legacy.peer(peerId)?.polling === true;
}

/**
 * Starts a long poll by `receiver` and resolves once the relay holds it open, checking it
 * has not been answered yet; `answer` is the poll's answer.
 */
async function heldPoll(peerId: string, receiver: Role, waitMs: number, init?: RequestInit): Promise<{ answer: Promise<{ status: number; json: any }> }> {
  let answered = false;
  const answer = call('receive_messages/', { session_id: peerId, receiver, wait_ms: waitMs }, init).finally(() => { answered = true; });
  answer.catch(() => undefined); // a test that hangs up awaits the rejection itself
  await eventually(() => isPolling(peerId), 5000, 'the long poll to reach the relay');
  expect(answered).toBe(false);
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer };
}

describe('legacy polling API: the old flow between two old peers', () => {
  test('register, connect, screen, mouse click and typed text work as the old .exe expects', async () => {
    await start();
    const reg = await call('register_client/', { client_id: OLD_CLIENT_ID, access_code: '385621' });
    expect(reg.status).toBe(200);
    expect(reg.json).toEqual(expect.objectContaining({ success: true, session_id: expect.stringMatching(/^session_[A-Za-z0-9_-]+$/) }));
    const con = await call('connect_technician/', { access_code: '385621' });
    expect(con.status).toBe(200);
    expect(con.json).toEqual(expect.objectContaining({ success: true, session_id: expect.stringMatching(/^session_[0-9a-f]{32}$/), status: 'paired' }));
    // Each old program uses the id its own call returned.
    const ids: PeerIds = { client: reg.json.session_id as string, technician: con.json.session_id as string };
    expect(ids.technician).not.toBe(ids.client);

    // Both sides are told they are connected, in the relay's own envelope.
    expect(await receive(ids.client, 'client')).toEqual([{ sender: 'relay', message: expect.objectContaining({ type: 'paired' }) }]);
    expect(await receive(ids.technician, 'technician')).toEqual([{ sender: 'relay', message: expect.objectContaining({ type: 'paired' }) }]);

    const image = await jpeg(64, 48, 200);
    const screen = { type: 'screen', data: image.toString('base64') };
    const sent = await send(ids.client, 'client', screen);
    expect(sent).toEqual({ status: 200, json: expect.objectContaining({ success: true }) });

    const got = await receive(ids.technician, 'technician');
    expect(got).toEqual([{ sender: 'client', message: screen }]);
    expect(Buffer.from(got[0]!.message.data as string, 'base64').equals(image)).toBe(true);
    expect(await receive(ids.technician, 'technician')).toEqual([]); // exactly once

    const click = { action: 'mouse_click', x: 400, y: 300, button: 'left' };
    const typed = { action: 'type_text', text: '¿Añadir el último pingüino? ¡Sí! 10 €' };
    expect((await send(ids.technician, 'technician', click)).status).toBe(200);
    expect((await send(ids.technician, 'technician', typed)).status).toBe(200);
    expect(await receive(ids.client, 'client')).toEqual([
      { sender: 'technician', message: click },
      { sender: 'technician', message: typed },
    ]);
    expect(await receive(ids.client, 'client')).toEqual([]);
  });

  test('unread screens do not pile up: a technician that polls late gets only the newest one', async () => {
    await start();
    const ids = await legacyPair('112233');
    const images = [await jpeg(64, 48, 10), await jpeg(64, 48, 120), await jpeg(64, 48, 250)];
    expect(new Set(images.map((i) => i.toString('base64'))).size).toBe(3);
    for (const image of images) {
      expect((await send(ids.client, 'client', { type: 'screen', data: image.toString('base64') })).status).toBe(200);
    }
    expect(await receive(ids.technician, 'technician')).toEqual([
      { sender: 'client', message: { type: 'screen', data: images[2]!.toString('base64') } },
    ]);
    expect(await receive(ids.technician, 'technician')).toEqual([]);
  });

  test('actions and messages the relay does not know pass through untouched, both ways', async () => {
    await start();
    const ids = await legacyPair('445566');
    const odd = { action: 'open_chat', window: { title: 'Soporte – CompuEasys', size: [640, 480] }, flag: null, n: 1.5 };
    const fromClient = { type: 'clipboard', text: 'línea 1\nlínea 2', extra: { nested: true } };
    expect((await send(ids.technician, 'technician', odd)).status).toBe(200);
    expect((await send(ids.client, 'client', fromClient)).status).toBe(200);
    expect(await receive(ids.client, 'client')).toEqual([{ sender: 'technician', message: odd }]);
    expect(await receive(ids.technician, 'technician')).toEqual([{ sender: 'client', message: fromClient }]);
  });

  test('every route answers the same with and without the trailing slash', async () => {
    await start({ adminToken: ADMIN_TOKEN });
    for (const [i, slash] of ['', '/'].entries()) {
      const code = i === 0 ? '700001' : '700002';
      const at = (route: string): string => `${route}${slash}`;
      const reg = await call(at('register_client'), { client_id: `PC-${i}`, access_code: code });
      expect(reg.status).toBe(200);
      const con = await call(at('connect_technician'), { access_code: code });
      const ids: PeerIds = { client: reg.json.session_id as string, technician: con.json.session_id as string };
      const msg = { action: 'mouse_click', x: i, y: i, button: 'right' };
      expect((await call(at('send_message'), { session_id: ids.technician, sender: 'technician', message: msg })).status).toBe(200);
      const got = await call(at('receive_messages'), { session_id: ids.client, receiver: 'client' });
      expect(got.json.messages).toEqual([
        { sender: 'relay', message: expect.objectContaining({ type: 'paired' }) },
        { sender: 'technician', message: msg },
      ]);
      const list = await call(at('list_sessions'), undefined, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(list.json.sessions).toEqual([expect.objectContaining({ client_id: `PC-${i}`, state: 'paired' })]);
      expect(await call(at('disconnect'), { session_id: ids.client })).toEqual({ status: 200, json: { success: true } });
    }
  });

  test('a long poll stays open and answers with the message as soon as the other side sends it', async () => {
    await start();
    const ids = await legacyPair('246810');
    const { answer: poll } = await heldPoll(ids.client, 'client', 5000);

    const click = { action: 'mouse_click', x: 12, y: 34, button: 'left' };
    expect((await send(ids.technician, 'technician', click)).status).toBe(200);
    const answered = await poll;
    expect(answered).toEqual({ status: 200, json: { success: true, messages: [{ sender: 'technician', message: click }] } });
    expect(await receive(ids.client, 'client')).toEqual([]);
  });

  test('a long poll with nothing to say answers an empty list, however long the wait asked for', async () => {
    await start({ legacyMaxWaitMs: 50 });
    const ids = await legacyPair('864200');
    // An hour is clamped to legacyMaxWaitMs: were it not, this poll would outlive the test.
    const r = await call('receive_messages/', { session_id: ids.technician, receiver: 'technician', wait_ms: 3_600_000 });
    expect(r).toEqual({ status: 200, json: { success: true, messages: [] } });
  });

  test('a long poll the poller hangs up on does not swallow what the other side sends next', async () => {
    await start();
    const ids = await legacyPair('572839');
    const hangUp = new AbortController();
    const { answer: poll } = await heldPoll(ids.client, 'client', 20_000, { signal: hangUp.signal });
    hangUp.abort(); // the old client's HTTP timeout, or a network drop
    await expect(poll).rejects.toThrow();
    await eventually(() => !isPolling(ids.client), 5000, 'the relay to notice the poller hung up');

    const click = { action: 'mouse_click', x: 640, y: 360, button: 'left' };
    expect((await send(ids.technician, 'technician', click)).status).toBe(200);
    expect(await receive(ids.client, 'client', 5000)).toEqual([{ sender: 'technician', message: click }]);
  });

  test('a long poll is woken by the other side leaving', async () => {
    await start();
    const ids = await legacyPair('135790');
    const { answer: poll } = await heldPoll(ids.technician, 'technician', 5000);
    expect((await call('disconnect/', { session_id: ids.client, sender: 'client' })).status).toBe(200);
    expect((await poll).json.messages).toEqual([{ sender: 'relay', message: { type: 'peer_left', reason: 'bye' } }]);
  });

  test('disconnect: the other side hears peer_left once, then the session is gone (410)', async () => {
    await start();
    const ids = await legacyPair('975310');
    expect(await call('disconnect/', { session_id: ids.client })).toEqual({ status: 200, json: { success: true } });

    expect(await receive(ids.technician, 'technician')).toEqual([{ sender: 'relay', message: { type: 'peer_left', reason: 'bye' } }]);
    const after = await call('receive_messages/', { session_id: ids.technician, receiver: 'technician' });
    expect(after).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));
    const late = await send(ids.technician, 'technician', { action: 'mouse_click', x: 1, y: 1, button: 'left' });
    expect(late).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));

    // The code was single use and the session is over: the same code cannot be joined again…
    const rejoin = await call('connect_technician/', { access_code: '975310' });
    expect(rejoin.status).toBe(404);
    expect(rejoin.json.error.code).toBe('RS_ERR_CODE_INVALID');
    // …but the customer may register it again for a new session.
    expect(await register('975310')).not.toBe(ids.client);
  });
});

describe('legacy polling API: refusals carry a code and a status, never a 500', () => {
  test('bad requests are refused with the catalogue code, and the relay keeps serving', async () => {
    await start({ maxLegacyBodyBytes: 2048 });
    const live = await legacyPair('606060', 'PC-SIGUE-VIVO');
    // Not JSON, not an object, missing or malformed fields.
    expect(await call('register_client/', '{"client_id": "PC", "access_code": ')).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', '["PC", "123456"]')).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', 'null')).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', { client_id: 'PC' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', { client_id: 'PC', access_code: '12345' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', { client_id: 'PC', access_code: '12a456' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', { client_id: 'PC', access_code: 123456 })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('register_client/', { access_code: '123456' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('connect_technician/', {})).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('connect_technician/', { access_code: 'abcdef' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('connect_technician/', { access_code: '1234567' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('receive_messages/', { session_id: live, receiver: 'relay' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('receive_messages/', { session_id: live, receiver: 'client', wait_ms: -1 })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('receive_messages/', { session_id: live, receiver: 'client', wait_ms: 'soon' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('send_message/', { session_id: live, sender: 'client', message: 'hola' })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('send_message/', { session_id: live, sender: 'client', message: [1, 2] })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('send_message/', { session_id: live, sender: 'client', message: { type: 'screen' } })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));
    expect(await call('send_message/', { session_id: 42, sender: 'client', message: {} })).toEqual(legacyRefusal(400, 'RS_ERR_HTTP_BAD_REQUEST'));

    // A code already in use.
    await register('717171', 'PC-PRIMERO');
    expect(await call('register_client/', { client_id: 'PC-SEGUNDO', access_code: '717171' })).toEqual(legacyRefusal(409, 'RS_ERR_CODE_TAKEN'));
    // A wrong code.
    expect(await call('connect_technician/', { access_code: '000000' })).toEqual(legacyRefusal(404, 'RS_ERR_CODE_INVALID'));

    // Bodies over the limit: send_message has its own (screenshots), everything else a small one.
    const big = { session_id: live.client, sender: 'client', message: { type: 'screen', data: 'A'.repeat(4096) } };
    expect(await call('send_message/', big)).toEqual(legacyRefusal(413, 'RS_ERR_HTTP_BODY_TOO_BIG'));
    expect(await call('register_client/', { client_id: 'PC', access_code: '818181', pad: 'x'.repeat(20_000) }))
      .toEqual(legacyRefusal(413, 'RS_ERR_HTTP_BODY_TOO_BIG'));

    // Unknown sessions, on every route that takes one, including names that are special in JS.
    for (const sessionId of ['session_no-existe', '__proto__', 'constructor', 'toString']) {
      expect(await call('send_message/', { session_id: sessionId, sender: 'technician', message: { action: 'mouse_click', x: 1, y: 1 } }))
        .toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
      expect(await call('receive_messages/', { session_id: sessionId, receiver: 'client' })).toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
      expect(await call('receive_messages/', { session_id: sessionId, receiver: 'technician', wait_ms: 5000 }))
        .toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
      expect(await call('disconnect/', { session_id: sessionId })).toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
    }
    // Nor does one side's id speak for the other side.
    expect(await call('send_message/', { session_id: live.client, sender: 'technician', message: { action: 'mouse_click', x: 1, y: 1 } }))
      .toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
    expect(await call('receive_messages/', { session_id: live.technician, receiver: 'client' })).toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));

    // Wrong methods and unknown routes.
    for (const route of ['register_client/', 'connect_technician', 'send_message/', 'receive_messages', 'disconnect/']) {
      expect(await call(route)).toEqual(legacyRefusal(405, 'RS_ERR_HTTP_METHOD'));
    }
    expect(await call('list_sessions/', undefined, { method: 'DELETE' })).toEqual(legacyRefusal(405, 'RS_ERR_HTTP_METHOD'));
    expect(await call('no_such_route/', {})).toEqual(legacyRefusal(404, 'RS_ERR_HTTP_NOT_FOUND'));

    // After all of that, the live session still works and new sessions still start.
    const image = await jpeg(64, 48, 77);
    expect((await send(live.client, 'client', { type: 'screen', data: image.toString('base64') })).status).toBe(200);
    expect(await receive(live.technician, 'technician')).toEqual([{ sender: 'client', message: { type: 'screen', data: image.toString('base64') } }]);
    const fresh = await legacyPair('919191', 'PC-NUEVO');
    expect(fresh).not.toBe(live);
    const health = await fetch(`${relay!.url}/healthz`);
    expect(health.status).toBe(200);
  });

  test('a body over the limit is refused also when sent without a Content-Length (chunked)', async () => {
    await start({ maxLegacyBodyBytes: 2048 });
    const live = await legacyPair('626262');
    const text = JSON.stringify({ session_id: live.client, sender: 'client', message: { type: 'screen', data: 'B'.repeat(8192) } });
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.subarray(i, i + 1024));
        controller.close();
      },
    });
    const res = await fetch(`${relay!.url}/api/relay/send_message/`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('RS_ERR_HTTP_BODY_TOO_BIG');
    expect(await receive(live.technician, 'technician')).toEqual([]);
  });

  test('too many wrong codes from one address are refused (429) even with the right code; other addresses go on', async () => {
    await start({ trustProxy: ['127.0.0.1'], codeAttemptsPerIp: 5 });
    const from = (address: string): RequestInit => ({ headers: { 'content-type': 'application/json', 'x-forwarded-for': address } });
    const customer = from('198.51.100.7');
    const attacker = from('203.0.113.66');
    const sessionId = (await call('register_client/', { client_id: 'PC-LUISA', access_code: '583920' }, customer)).json.session_id as string;

    for (const wrong of ['000001', '000002', '000003', '000004', '000005']) {
      const r = await call('connect_technician/', { access_code: wrong }, attacker);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('RS_ERR_CODE_INVALID');
    }
    const sixth = await call('connect_technician/', { access_code: '000006' }, attacker);
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('RS_ERR_CODE_ATTEMPTS');
    const right = await call('connect_technician/', { access_code: '583920' }, attacker);
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe('RS_ERR_CODE_ATTEMPTS');
    // Registering a chosen code from the blocked address cannot be used to probe either.
    expect((await call('register_client/', { client_id: 'X', access_code: '111222' }, attacker)).status).toBe(429);

    // The real technician, elsewhere, still gets in with the code the customer read out.
    const tech = await call('connect_technician/', { access_code: '583920' }, from('198.51.100.20'));
    expect(tech.status).toBe(200);
    expect(tech.json.session_id).toMatch(/^session_[0-9a-f]{32}$/);
    expect(tech.json.session_id).not.toBe(sessionId);
  });
});

describe('legacy polling API: list_sessions', () => {
  test('counts only without the admin token; the sessions with it, never codes or session ids', async () => {
    const clock = new ManualClock();
    await start({ adminToken: ADMIN_TOKEN, legacyPollTimeoutMs: 3600_000 }, clock);
    const waiting = await register('482913', 'PC-ESPERANDO');
    clock.advance(30_000);
    const active = await legacyPair('571046', 'PC-ACTIVO');
    clock.advance(90_000);

    const counts = { success: true, counts: { waiting: 1, pending_consent: 0, active: 1 }, total: 2 };
    const anonymous = await call('list_sessions/');
    expect(anonymous).toEqual({ status: 200, json: counts });
    expect(anonymous.json).not.toHaveProperty('sessions');
    const wrong = await call('list_sessions', undefined, { headers: { authorization: 'Bearer not-the-admin-token-at-all' } });
    expect(wrong).toEqual({ status: 200, json: counts });

    const res = await fetch(`${relay!.url}/api/relay/list_sessions/`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const json = JSON.parse(text);
    expect(json).toEqual(expect.objectContaining(counts));
    expect(json.sessions).toHaveLength(2);
    expect(json.sessions).toEqual(expect.arrayContaining([
      expect.objectContaining({ client_id: 'PC-ESPERANDO', state: 'waiting', age_seconds: 120 }),
      expect.objectContaining({ client_id: 'PC-ACTIVO', state: 'paired', age_seconds: 90 }),
    ]));
    for (const secret of ['482913', '571046', waiting, active.client, active.technician, ADMIN_TOKEN]) expect(text).not.toContain(secret);
  });
});

describe('legacy polling API: peers that go silent, sessions that grow old', () => {
  test('a technician that stops polling is gone after legacyPollTimeoutMs: the client is told and the session ends', async () => {
    const clock = new ManualClock();
    await start({ legacyPollTimeoutMs: 30_000, legacyGraceMs: 60_000 }, clock);
    const ids = await legacyPair('304050');

    clock.advance(20_000);
    relay!.sweep();
    expect(await receive(ids.client, 'client')).toEqual([]); // both still within the limit
    clock.advance(20_000); // technician silent 40 s, client 20 s
    relay!.sweep();

    expect(await receive(ids.client, 'client')).toEqual([{ sender: 'relay', message: { type: 'peer_left', reason: 'timeout' } }]);
    expect(await call('receive_messages/', { session_id: ids.client, receiver: 'client' })).toEqual(legacyRefusal(410, 'RS_ERR_SESSION_ENDED'));
    expect(relay!.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 0 });
    // The technician coming back late learns the session is over.
    expect(await receive(ids.technician, 'technician')).toEqual([{ sender: 'relay', message: { type: 'peer_left', reason: 'timeout' } }]);

    // After the grace time even the reason is forgotten.
    clock.advance(60_000);
    relay!.sweep();
    expect(await call('receive_messages/', { session_id: ids.client, receiver: 'client' })).toEqual(legacyRefusal(404, 'RS_ERR_SESSION_UNKNOWN'));
  });

  test('a waiting client that stops polling gives up its session, and its code is free again', async () => {
    const clock = new ManualClock();
    await start({ legacyPollTimeoutMs: 30_000 }, clock);
    const sessionId = await register('909090');
    clock.advance(30_000);
    relay!.sweep();
    expect(relay!.hub.counts().waiting).toBe(0);
    const join = await call('connect_technician/', { access_code: '909090' });
    expect(join.status).toBe(404);
    expect(await register('909090')).not.toBe(sessionId);
  });

  test('a peer holding a long poll open is present, however long ago it started polling', async () => {
    const clock = new ManualClock();
    await start({ legacyPollTimeoutMs: 30_000 }, clock);
    const ids = await legacyPair('313131');
    const { answer: poll } = await heldPoll(ids.technician, 'technician', 10_000);
    // The client keeps polling too; only the clock moves.
    clock.advance(20_000);
    expect(await receive(ids.client, 'client')).toEqual([]);
    clock.advance(20_000);
    relay!.sweep();
    expect(relay!.hub.counts().paired).toBe(1);
    const click = { action: 'mouse_click', x: 5, y: 6, button: 'left' };
    expect((await send(ids.client, 'client', { type: 'note', text: 'sigo aquí' })).status).toBe(200);
    expect((await poll).json.messages).toEqual([{ sender: 'client', message: { type: 'note', text: 'sigo aquí' } }]);
    expect((await send(ids.technician, 'technician', click)).status).toBe(200);
    expect(await receive(ids.client, 'client')).toEqual([{ sender: 'technician', message: click }]);
  });

  test('sessions end at maxSessionAgeMs even while both sides keep polling', async () => {
    const clock = new ManualClock();
    await start({ maxSessionAgeMs: 60_000, legacyPollTimeoutMs: 3600_000 }, clock);
    const ids = await legacyPair('818283');
    clock.advance(59_000);
    relay!.sweep();
    expect(relay!.hub.counts().paired).toBe(1);
    clock.advance(1_000);
    relay!.sweep();

    const notice = { sender: 'relay', message: { type: 'error', code: 'RS_ERR_TIMEOUT_SESSION_AGE', message: expect.any(String) } };
    expect(await receive(ids.client, 'client')).toEqual([notice]);
    expect(await receive(ids.technician, 'technician')).toEqual([notice]);
    const after = await send(ids.client, 'client', { type: 'screen', data: (await jpeg(8, 8, 1)).toString('base64') });
    expect(after.status).toBe(410);
    expect(after.json.error.code).toBe('RS_ERR_SESSION_ENDED');
    expect(relay!.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 0 });
  });
});
