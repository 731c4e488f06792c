import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { LocalPageServer } from '../window/local-page-server';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One raw HTTP exchange: the path is sent as given (fetch would resolve dots itself). */
function get(port: number, path: string, options: { method?: string; host?: string; cookie?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${port}` };
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the page's WebSocket with these headers: 'open', or how it was refused. */
function attempt(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ui`, { headers });
    ws.once('open', () => { ws.close(); resolve('open'); });
    ws.once('unexpected-response', (_req, res) => { resolve(`refused ${res.statusCode}`); ws.terminate(); });
    ws.once('error', (err) => resolve(`error ${err.message}`));
  });
}

describe('the window\'s local page server', () => {
  let pageDir: string;
  let server: LocalPageServer;
  let cookie: string;

  beforeAll(async () => {
    pageDir = mkdtempSync(join(tmpdir(), 'page-'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>Soporte</title>');
    writeFileSync(join(pageDir, 'index.js'), 'void 0;');
    writeFileSync(join(pageDir, '.hidden'), 'secret');
    mkdirSync(join(pageDir, 'sub'));
    server = await LocalPageServer.start({ pageDir, logger: pino({ level: 'silent' }), onEnvelope: () => undefined });
    const code = new URL(server.launchUrl!).searchParams.get('code')!;
    const opened = await get(server.port, `/open?code=${code}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toContain('content="0;url=/"');
    const setCookie = String(opened.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
  });
  afterAll(async () => {
    await server.close();
    rmSync(pageDir, { recursive: true, force: true });
  });

  test('the one-time code works once: the address is spent after the first browser used it', async () => {
    expect(server.launchUrl).toBeUndefined();
    const again = await get(server.port, '/open?code=anything');
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  test('serves the page to the cookie holder with headers that keep it to itself', async () => {
    const { port } = server;
    const page = await get(port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Soporte</title>');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const script = await get(port, '/index.js', { cookie });
    expect(script).toMatchObject({ status: 200, body: 'void 0;' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await get(port, '/index.js', { method: 'HEAD', cookie });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('7');
  });

  test('refuses no cookie, a wrong cookie or a foreign Host (403), other methods (405), anything outside the page (404)', async () => {
    const { port } = server;
    expect((await get(port, '/')).status).toBe(403);
    expect((await get(port, '/index.js')).status).toBe(403);
    expect((await get(port, '/', { cookie: 'compueasys_window=guess' })).status).toBe(403);
    expect((await get(port, '/', { cookie, host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(port, '/', { method: 'POST', cookie })).status).toBe(405);
    for (const path of ['/%2e%2e/%2e%2e/package.json', '/../../package.json', '/.hidden', '/missing.js', '/sub']) {
      const res = await get(port, path, { cookie });
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  test('the page\'s WebSocket needs the cookie and this server\'s Origin', async () => {
    const { port } = server;
    const origin = `http://127.0.0.1:${port}`;
    expect(await attempt(port, { cookie, origin })).toBe('open');
    expect(await attempt(port, { cookie })).toMatch(/403/);
    expect(await attempt(port, { cookie, origin: 'http://evil.example' })).toMatch(/403/);
    expect(await attempt(port, { origin })).toMatch(/403/);
    expect(await attempt(port, { cookie: 'compueasys_window=guess', origin })).toMatch(/403/);
  });
});

describe('the launcher file', () => {
  test('sends the browser to the one-time address, from a folder only this user can read', async () => {
    const pageDir = mkdtempSync(join(tmpdir(), 'page-'));
    const server = await LocalPageServer.start({ pageDir, logger: pino({ level: 'silent' }), onEnvelope: () => undefined });
    try {
      const file = await server.writeLauncher();
      expect(readFileSync(file, 'utf8')).toContain(`url=${server.launchUrl}`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      await server.close();
      expect(() => statSync(file)).toThrow(); // the folder goes with the window
    } finally {
      await server.close();
      rmSync(pageDir, { recursive: true, force: true });
    }
  });
});
