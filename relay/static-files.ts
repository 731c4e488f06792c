import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileInside, sendFile } from '../common/node/static-files';

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
 * Serves GET/HEAD of the technician page's files under `root` (no listing, no dot files,
 * no path escapes). Resolves false when nothing matched, so the caller can answer 404.
 */
export async function serveTechnicianPage(root: string | undefined, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (root === undefined) {
    if (pathname !== '/' && pathname !== '/index.html') return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return true;
  }
  const file = fileInside(root, pathname);
  if (file === undefined) return false;
  return sendFile(req, res, file, {
    'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
    'x-content-type-options': 'nosniff',
  });
}
