import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf, fileInside, sendFile } from '../node/static-files';

describe('fileInside: a URL path to a file of the folder, or nothing', () => {
  const root = '/srv/page';

  it('maps paths and folders (index.html) inside the root', () => {
    expect(fileInside(root, '/')).toBe('/srv/page/index.html');
    expect(fileInside(root, '/index.js')).toBe('/srv/page/index.js');
    expect(fileInside(root, '/img/icon%20big.png')).toBe('/srv/page/img/icon big.png');
  });

  it.each([
    '/../etc/passwd', '/%2e%2e/etc/passwd', '/a/../../x', '/.env', '/img/.hidden', '/%00x', '/%E0%A4%A', '/a\\..\\b',
  ])('refuses %s', (path) => {
    expect(fileInside(root, path)).toBeUndefined();
  });

  it('names content types', () => {
    expect(contentTypeOf('a.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a.bin')).toBe('application/octet-stream');
  });
});

describe('sendFile over a real socket', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'static-files-'));
    writeFileSync(join(dir, 'index.html'), '<p>hola</p>');
    mkdirSync(join(dir, 'folder'));
    server = createServer((req, res) => {
      const file = fileInside(dir, new URL(req.url ?? '/', 'http://x').pathname);
      const answer = file === undefined ? Promise.resolve(false) : sendFile(req, res, file, { 'x-extra': 'yes' });
      void answer.then((served) => {
        if (!served) {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the file with its type, length and the caller\'s headers', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-length')).toBe('11');
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(await res.text()).toBe('<p>hola</p>');
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(`${base}/index.html`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('11');
  });

  it('leaves missing files and folders to the caller (404 here)', async () => {
    expect((await fetch(`${base}/nothing.js`)).status).toBe(404);
    expect((await fetch(`${base}/folder`)).status).toBe(404);
  });

  // Two real read failures on Linux, even as root: a sysctl without read permission fails
  // at open(), and /proc/self/mem fails (EIO) at the first read, after the headers left.
  const unopenable = '/proc/sys/vm/compact_memory';

  it('answers 500, and the server lives on, when the file cannot be opened', async () => {
    symlinkSync(unopenable, join(dir, 'unopenable.js'));
    const res = await fetch(`${base}/unopenable.js`);
    expect(res.status).toBe(500);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it('cuts the connection, and the server lives on, when a read fails half way', async () => {
    symlinkSync('/proc/self/mem', join(dir, 'unreadable.js'));
    await expect(fetch(`${base}/unreadable.js`).then((r) => r.arrayBuffer())).rejects.toThrow();
    expect((await fetch(`${base}/`)).status).toBe(200);
  });
});
