import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LocalPageServer } from '../window/local-page-server';

/** One raw HTTP exchange: the path is sent as given (fetch would resolve dots itself). */
function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the window\'s local page server', () => {
  let pageDir: string;
  let server: LocalPageServer;
  const token = 'test-token-0123456789';

  beforeAll(async () => {
    pageDir = mkdtempSync(join(tmpdir(), 'page-'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>Soporte</title>');
    writeFileSync(join(pageDir, 'index.js'), 'void 0;');
    writeFileSync(join(pageDir, '.hidden'), 'secret');
    mkdirSync(join(pageDir, 'sub'));
    server = await LocalPageServer.start({ pageDir, token, logger: pino({ level: 'silent' }), onEnvelope: () => undefined });
  });
  afterAll(async () => {
    await server.close();
    rmSync(pageDir, { recursive: true, force: true });
  });

  test('serves the page under the token with headers that keep it and the token to itself', async () => {
    const { port } = server;
    const page = await get(port, `/${token}/`);
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
    const script = await get(port, `/${token}/index.js`);
    expect(script).toMatchObject({ status: 200, body: 'void 0;' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
    const head = await get(port, `/${token}/index.js`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('7');
  });

  test('adds the slash after the token, so the page\'s relative links keep it', async () => {
    const res = await get(server.port, `/${token}`);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`/${token}/`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('refuses a missing or wrong token and a foreign Host (403), other methods (405), and anything outside the page (404)', async () => {
    const { port } = server;
    expect((await get(port, '/')).status).toBe(403);
    expect((await get(port, '/index.html')).status).toBe(403);
    expect((await get(port, '/test-token-012345678X/')).status).toBe(403);
    expect((await get(port, `/${token}/`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(port, `/${token}/`, { method: 'POST' })).status).toBe(405);
    for (const path of ['/%2e%2e/%2e%2e/package.json', '/../../package.json', '/.hidden', '/missing.js', '/sub']) {
      const res = await get(port, `/${token}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
