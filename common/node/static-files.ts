import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Serving the files of a built page, shared by the relay (the technician's page) and the
 * agent's local window server (the customer's page). Each caller decides which URL path
 * maps to which file and which headers go with it; this module makes sure the file is
 * inside the folder, streams it without reading it whole, and never lets a failed read
 * (a file gone, no descriptors left) take the process down.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
});

/** The Content-Type of a file name; binary for what is not listed. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside `root`, or undefined when it cannot be one: a bad
 * percent-escape, a NUL, a segment starting with a dot (no dot files, no `..`), or a
 * path that resolves outside `root`. A path ending in `/` names that folder's index.html.
 */
export function fileInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const base = resolve(root);
  const file = resolve(base, `.${relative.startsWith('/') ? '' : '/'}${relative}`);
  return file.startsWith(base + sep) ? file : undefined;
}

/**
 * Answers a GET or HEAD with `file` and `headers` (Content-Type and Content-Length are
 * added). Resolves false, having written nothing, when `file` is not a regular file, so the
 * caller can answer 404. A read that fails before anything was sent answers 500; one
 * that fails half way cuts the connection (the length told the client it was short).
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: Readonly<Record<string, string>>,
): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return false;
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'content-type': contentTypeOf(file), 'content-length': info.size });
    res.end();
    return true;
  }
  const stream = createReadStream(file);
  try {
    // Opening first: a missing descriptor (EMFILE) or a vanished file is still a clean 500.
    await new Promise<void>((opened, failed) => {
      stream.once('open', () => opened());
      stream.once('error', failed);
    });
    res.writeHead(200, { ...headers, 'content-type': contentTypeOf(file), 'content-length': info.size });
    await pipeline(stream, res);
  } catch {
    stream.destroy();
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('Internal error');
    } else {
      res.destroy();
    }
  }
  return true;
}
