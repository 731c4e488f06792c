import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
});

/**
 * Where the built technician page is: `dist/technician` seen from the source tree
 * (tests, `npm run dev`) or `../technician` seen from `dist/relay/main.js`.
 */
export function findTechnicianDir(configured: string | undefined, moduleDir: string): string | undefined {
  if (configured !== undefined) return resolve(configured);
  const candidates = [resolve(moduleDir, '../dist/technician'), resolve(moduleDir, '../technician')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Shown when the technician page has not been built, in both of our languages. */
const NOT_BUILT_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>CompuEasys Remote Support</title></head>
<body><h1>CompuEasys Remote Support</h1>
<p lang="es">El relay está funcionando, pero la página del técnico no está compilada: ejecute <code>npm run build</code>.</p>
<p lang="en">The relay is running, but the technician page is not built: run <code>npm run build</code>.</p>
</body></html>`;

/**
 * Serves GET/HEAD of files under `root` (no directory listing, no path escapes).
 * Returns false when nothing matched, so the caller can answer 404.
 */
export function serveStatic(root: string | undefined, req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (root === undefined) {
    if (pathname !== '/' && pathname !== '/index.html') return false;
    res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return true;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = resolve(root, `.${relative}`);
  if (file !== root && !file.startsWith(root + sep)) return false;
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': extname(file) === '.html' ? 'no-cache' : 'public, max-age=300',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).pipe(res);
  return true;
}
