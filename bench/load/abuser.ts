/**
 * Child process of the soak benchmark: abuses a relay at its limits, on both APIs, from
 * many loopback addresses, until told to stop. Each abuse runs as its own loop that waits
 * for the relay's answer before the next try, so the pressure is what the relay lets
 * through, not what this process can queue. Reports how often each abuse was answered how.
 *
 * argv[2]: the relay's ws:// URL. IPC: {kind:'stop'} → {kind:'report', counts} and exit.
 */
import WebSocket from 'ws';
import { encodeControl, encodeFrame, FrameFlag, ImageFormat, UNSEALED_VERSION } from '../../protocol';
import { closeAddressAgents, legacyCallFrom, loopbackAddress } from '../../test/support/from-address';

const wsUrl = process.argv[2]!;
const httpUrl = wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
let running = true;
const counts: Record<string, number> = {};
const tally = (what: string): void => { counts[what] = (counts[what] ?? 0) + 1; };

/** Opens a socket from `address` and resolves once open (or with undefined if refused). */
function open(address: string): Promise<WebSocket | undefined> {
  return new Promise((done) => {
    const ws = new WebSocket(wsUrl, { localAddress: address });
    ws.once('open', () => done(ws));
    ws.once('error', () => done(undefined));
    ws.once('unexpected-response', () => done(undefined));
  });
}

/** Sends and waits for the first text answer or the close (bounded). */
function ask(ws: WebSocket, message: unknown): Promise<string> {
  return new Promise((done) => {
    const timer = setTimeout(() => finish('timeout'), 5000);
    const onMessage = (data: Buffer, binary: boolean): void => {
      if (binary) return;
      const text = data.toString('utf8');
      const code = /"code":"(RS_ERR_[A-Z0-9_]+)"/.exec(text)?.[1];
      finish(code ?? /"type":"([a-z-]+)"/.exec(text)?.[1] ?? 'text');
    };
    const onClose = (code: number): void => finish(`close ${code}`);
    function finish(what: string): void {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      done(what);
    }
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(typeof message === 'string' || message instanceof Uint8Array ? message : encodeControl(message as never));
  });
}

async function hello(address: string, role: 'client' | 'technician'): Promise<WebSocket | undefined> {
  const ws = await open(address);
  if (ws === undefined) return undefined;
  const answer = await ask(ws, { type: 'hello', version: UNSEALED_VERSION, role });
  if (answer !== 'welcome') {
    ws.terminate();
    return undefined;
  }
  return ws;
}

/** Wrong codes over WebSocket, from 500 addresses in turn. */
async function guessOverWebSocket(): Promise<void> {
  for (let n = 0; running; n++) {
    const ws = await hello(loopbackAddress(150, n % 500), 'technician');
    if (ws === undefined) { tally('ws-guess: refused socket'); continue; }
    tally(`ws-guess: ${await ask(ws, { type: 'join', code: String((n * 7919) % 1_000_000).padStart(6, '0'), name: 'x' })}`);
    ws.terminate();
  }
}

/** Wrong codes and code probes over the legacy API, from 500 addresses in turn. */
async function guessOverLegacy(): Promise<void> {
  for (let n = 0; running; n++) {
    const address = loopbackAddress(151, n % 500);
    const code = String((n * 104_729) % 1_000_000).padStart(6, '0');
    const path = n % 2 === 0 ? 'connect_technician/' : 'register_client/';
    const r = await legacyCallFrom(httpUrl, path, { access_code: code, client_id: 'PROBE' }, address).catch(() => ({ status: 0 }));
    tally(`legacy-guess: ${r.status}`);
  }
}

/** Registrations from a few addresses, as fast as answered: the per-address caps. */
async function registerFlood(): Promise<void> {
  const held: WebSocket[] = [];
  for (let n = 0; running; n++) {
    const ws = await hello(loopbackAddress(152, n % 4), 'client');
    if (ws === undefined) { tally('register: refused socket'); continue; }
    const answer = await ask(ws, { type: 'register', name: 'BOT' });
    tally(`register: ${answer}`);
    if (answer === 'code') held.push(ws);
    else ws.terminate();
    // Keep what the relay allows; let the oldest go now and then so the loop keeps testing the cap.
    if (held.length > 100) held.shift()!.terminate();
  }
  for (const ws of held) ws.terminate();
}

/** Sockets that say hello and nothing else, and unfinished big messages before pairing. */
async function idleAndOversized(): Promise<void> {
  for (let n = 0; running; n++) {
    const ws = await hello(loopbackAddress(153, n % 20), n % 2 === 0 ? 'client' : 'technician');
    if (ws === undefined) { tally('pre-session: refused socket'); continue; }
    if (n % 3 === 0) {
      tally(`pre-session oversized: ${await ask(ws, JSON.stringify({ type: 'register', name: 'x'.repeat(6000) }))}`);
    } else if (n % 3 === 1) {
      tally(`pre-session garbage: ${await ask(ws, '{"type":')}`);
    } else {
      tally(`pre-session idle: ${await ask(ws, { type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } })}`);
      // Left open: the idle timeout (30 s) must close it.
      ws.once('close', (code) => tally(`idle closed ${code}`));
      continue;
    }
    ws.terminate();
  }
}

/** A legacy pair where one side sends at the rate limit and the other never polls. */
async function legacyMailbox(): Promise<void> {
  for (let n = 0; running; n++) {
    const address = loopbackAddress(154, n % 50);
    const code = String(500_000 + n).slice(-6);
    const reg = await legacyCallFrom(httpUrl, 'register_client/', { client_id: 'FLOOD', access_code: code }, address).catch(() => undefined);
    if (reg?.status !== 200) { tally(`mailbox register: ${reg?.status ?? 0}`); continue; }
    const con = await legacyCallFrom(httpUrl, 'connect_technician/', { access_code: code }, loopbackAddress(155, n % 50)).catch(() => undefined);
    if (con?.status !== 200) { tally(`mailbox connect: ${con?.status ?? 0}`); continue; }
    for (let i = 0; running && i < 400; i++) {
      const r = await legacyCallFrom(httpUrl, 'send_message/', {
        session_id: reg.json.session_id, sender: 'client', message: { type: 'note', text: 'z'.repeat(15 * 1024) },
      }, address).catch(() => ({ status: 0 }));
      tally(`mailbox send: ${r.status}`);
      if (r.status === 410 || r.status === 404) break;
    }
  }
}

/** A paired WebSocket session whose technician never reads while the client streams frames. */
async function deafTechnician(): Promise<void> {
  const frame = encodeFrame({
    flags: FrameFlag.FULL | FrameFlag.LAST, seq: 0, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080,
  }, new Uint8Array(200 * 1024));
  for (let n = 0; running; n++) {
    const client = await hello(loopbackAddress(156, n % 10), 'client');
    if (client === undefined) { tally('deaf: refused socket'); continue; }
    const coded = await new Promise<string | undefined>((done) => {
      client.once('message', (d: Buffer) => done(/"code":"(\d{6})"/.exec(d.toString('utf8'))?.[1]));
      client.send(encodeControl({ type: 'register', name: 'STREAMER' }));
    });
    const tech = await hello(loopbackAddress(157, n % 10), 'technician');
    if (coded === undefined || tech === undefined) { client.terminate(); tech?.terminate(); continue; }
    const paired = new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 5000);
      client.on('message', (d: Buffer, binary: boolean) => {
        const text = binary ? '' : d.toString('utf8');
        if (text.includes('"consent-request"')) client.send(encodeControl({ type: 'consent', granted: true, viewOnly: false }));
        if (text.includes('"paired"')) {
          clearTimeout(timer);
          done(true);
        }
      });
      client.once('close', () => done(false));
    });
    tech.send(encodeControl({ type: 'join', code: coded, name: 'Deaf' }));
    if (!(await paired)) {
      tally('deaf: never paired');
      client.terminate();
      tech.terminate();
      continue;
    }
    // From now on the technician reads nothing: the relay must hold its backlog in bounds.
    (tech as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<number>((done) => client.once('close', (code) => done(code)));
    let sent = 0;
    // Frames as fast as the socket takes them, for up to 20 s or until the relay ends it.
    const until = Date.now() + 20_000;
    while (running && client.readyState === WebSocket.OPEN && Date.now() < until) {
      client.send(frame);
      sent++;
      await new Promise<void>((done) => setTimeout(done, 20));
    }
    tally(`deaf: streamed ${sent > 100 ? 'over 100' : 'up to 100'} frames`);
    client.terminate();
    tech.terminate();
    tally(`deaf closed ${await closed}`);
  }
}

process.on('message', (message: { kind: string }) => {
  if (message.kind !== 'stop') return;
  running = false;
  // Loops finish their current step; answer at once with what was seen.
  process.send?.({ kind: 'report', counts });
  closeAddressAgents();
  setTimeout(() => process.exit(0), 2000).unref();
});
process.on('disconnect', () => process.exit(0));

process.send?.({ kind: 'ready' });
void Promise.all([guessOverWebSocket(), guessOverLegacy(), registerFlood(), idleAndOversized(), legacyMailbox(), deafTechnician()]);
