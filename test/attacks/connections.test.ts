import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { CloseCode, encodeFrame, Errors, FrameFlag, ImageFormat, PROTOCOL_VERSION } from '../../protocol';
import type { Relay } from '../../relay/server';
import { helloFrom, loopbackAddress } from '../support/from-address';
import { startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Finding 6: no cap per address (one address took all 300 slots of --max-sockets 300); a
 * socket that said hello was kept 15 minutes; each socket could make the relay hold an
 * unfinished 4 MiB message before any check (40 sockets: +169 MiB); and with a low
 * descriptor limit, the static file server crashed the process (a read stream without
 * an error handler met EMFILE).
 */
describe('attack: connections', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay?.close();
  });

  test('one address cannot take every socket: it stops at its share; another address still connects', async () => {
    relay = await startTestRelay({ maxSockets: 300, maxConnectionsPerIp: 64 });
    const hog = loopbackAddress(61, 0);
    const held: WsTestPeer[] = [];
    let refused: { code: number } | undefined;
    for (let i = 0; i < 300 && refused === undefined; i++) {
      try {
        held.push(await helloFrom(relay.wsUrl, 'client', hog));
      } catch {
        refused = { code: -1 }; // cut at the TCP level, before any WebSocket
      }
    }
    expect(held.length).toBe(64);
    expect(refused).toBeDefined();
    const other = await helloFrom(relay.wsUrl, 'technician', loopbackAddress(62, 0));
    other.sendJson({ type: 'bye' });
    expect((await other.closed).code).toBe(CloseCode.NORMAL);
    for (const p of held) p.close();
  });

  test('a socket that said hello and nothing else is closed after the idle time (30 s by default)', async () => {
    relay = await startTestRelay({ idleTimeoutMs: 300 });
    const { DEFAULT_RELAY_OPTIONS } = await import('../../relay/options');
    expect(DEFAULT_RELAY_OPTIONS.idleTimeoutMs).toBeLessThanOrEqual(30_000);
    const idle = await WsTestPeer.hello(relay.wsUrl, 'technician');
    expect((await idle.next('error')).code).toBe(Errors.TIMEOUT_IDLE.code);
    expect((await idle.closed).code).toBe(CloseCode.TIMEOUT);
  });

  test('before pairing, a socket cannot make the relay hold a big unfinished message', async () => {
    relay = await startTestRelay();
    const peer = await WsTestPeer.hello(relay.wsUrl, 'client');
    // A binary frame header that announces 4 MiB, and the first 64 KiB of it.
    const socket = (peer.ws as unknown as { _socket: Socket })._socket;
    const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 2, 3, 4]);
    socket.write(Buffer.concat([header, Buffer.alloc(64 * 1024)]));
    // The relay refuses as soon as the length is announced: it never buffers the rest.
    expect((await peer.closed).code).toBe(CloseCode.TRANSPORT_TOO_BIG);
    expect(relay.connections.size).toBe(0);
  });

  test('after pairing, a client may send frames up to the frame limit again', async () => {
    relay = await startTestRelay();
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC' });
    const { code } = await client.next('code');
    // Before pairing even a modest 64 KiB message is refused.
    const early = await WsTestPeer.hello(relay.wsUrl, 'client');
    early.sendRaw(JSON.stringify({ type: 'register', name: 'x'.repeat(60_000) }), false);
    expect((await early.closed).code).toBe(CloseCode.TRANSPORT_TOO_BIG);
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'Ana' });
    await client.next('consent-request');
    client.sendJson({ type: 'consent', granted: true, viewOnly: false });
    await client.next('paired');
    await tech.until('paired');
    const frame = encodeFrame({
      flags: FrameFlag.FULL | FrameFlag.LAST, seq: 0, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
      x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080,
    }, new Uint8Array(1024 * 1024));
    client.sendRaw(frame);
    expect((await tech.nextBinary()).raw.byteLength).toBe(frame.byteLength);
  });
});

describe('attack: the page server out of file descriptors', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  test('requests fail (500) or are refused, the relay process lives on and serves again', async () => {
    const main = resolve(__dirname, '../../dist/relay/main.js');
    // A descriptor limit low enough that a burst of page requests runs out of them.
    child = spawn('bash', ['-c', `ulimit -n 40 && exec "${process.execPath}" "${main}" --host 127.0.0.1 --port 0 --log-level info --no-database`], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_FORMAT: 'json' },
    });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child!.stdout!.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m) resolveUrl(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`relay exited (${code}) before listening: ${out}`)));
    });
    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));
    const port = Number(new URL(url).port);
    // Idle connections use up the descriptors. The relay accepts them at its own pace, so
    // the requests wait until it has shed one: libuv closes a connection it cannot accept
    // only once it is out of descriptors. Sent earlier, the requests could each be served
    // and closed before the relay filled up, and no open would ever fail.
    const sockets = (await Promise.all(Array.from({ length: 80 }, () => openSocket(port)))).filter((s): s is Socket => s !== undefined);
    await Promise.race([
      Promise.race(sockets.map((socket) => closedOnce(socket))),
      exited.then(() => { throw new Error('the relay exited while its descriptors filled up'); }),
    ]);
    // Every connection still open now asks for a file, which needs one descriptor more.
    const statuses = await Promise.all(sockets.map((socket) => getOn(socket, port, '/index.js')));
    expect(statuses.some((s) => s === 500)).toBe(true); // the limit was really met
    expect(statuses.every((s) => s === 200 || s === 500 || s === 0)).toBe(true);
    const alive = await Promise.race([exited.then(() => false), fetch(`${url}/healthz`).then((r) => r.status === 200)]);
    expect(alive).toBe(true);
    // With the descriptors back, the same file is served again.
    expect((await fetch(`${url}/index.js`)).status).toBe(200);
    const version = await (await fetch(`${url}/healthz`)).json() as { protocolVersion: number };
    expect(version.protocolVersion).toBe(PROTOCOL_VERSION);
  });
});

/** A connection to the relay, or undefined when it was refused or cut before it was up. */
function openSocket(port: number): Promise<Socket | undefined> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => done(socket));
    socket.once('error', () => done(undefined));
  });
}

/** Resolves when `socket` closes, at once if it already has. */
function closedOnce(socket: Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((done) => socket.once('close', () => done()));
}

/** A GET on an open connection; the status, or 0 when the connection was cut. */
function getOn(socket: Socket, port: number, path: string): Promise<number> {
  return new Promise((done) => {
    let head = '';
    socket.on('data', (c: Buffer) => { head += c.toString('latin1'); });
    socket.on('close', () => done(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', () => undefined);
    if (socket.destroyed) { // shed before the request: its 'close' has already gone by
      done(0);
      return;
    }
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}
