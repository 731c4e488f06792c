import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join, resolve } from 'node:path';
import { fileInside, sendFile } from '../common/node/static-files';
import { ALLOWED_RELAYS_META } from '../common/technician-page';

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
 * The page learns which other relays it may use from this meta tag (read by
 * technician/core/transport/relay-url.ts); its presence tells the page it was served by
 * a relay. The origins were checked by resolveRelayOptions: no quotes or markup in them.
 */
function withAllowedRelays(html: string, relayOrigins: readonly string[]): string {
  const meta = `<meta name="${ALLOWED_RELAYS_META}" content="${relayOrigins.join(' ')}">`;
  return html.replace(/<head>/i, (head) => `${head}\n${meta}`);
}

/**
 * Serves GET/HEAD of the technician page's files under `root` (no listing, no dot files,
 * no path escapes); the page itself carries the list of relays it may use. Resolves
 * false when nothing matched, so the caller can answer 404.
 */
export async function serveTechnicianPage(
  root: string | undefined, req: IncomingMessage, res: ServerResponse, pathname: string, relayOrigins: readonly string[],
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (root === undefined) {
    if (pathname !== '/' && pathname !== '/index.html') return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return true;
  }
  const file = fileInside(root, pathname);
  if (file === undefined) return false;
  if (basename(file) === 'index.html') {
    const html = await readFile(file, 'utf8').catch(() => undefined);
    if (html === undefined) return false;
    const body = Buffer.from(withAllowedRelays(html, relayOrigins));
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.byteLength, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  return sendFile(req, res, file, { 'cache-control': 'public, max-age=300' });
}
