import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors, type ErrorSpec } from '../protocol';

export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: ErrorSpec };

/**
 * Reads a request body up to `limitBytes`. An over-limit body is refused as soon as it
 * is known (from Content-Length, or once the count passes the limit) without buffering
 * the rest; the connection is closed after the answer so the client stops sending.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      req.resume();
      resolve({ ok: false, error: Errors.HTTP_BODY_TOO_BIG });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > limitBytes) {
        chunks.length = 0;
        req.resume();
        finish({ ok: false, error: Errors.HTTP_BODY_TOO_BIG });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    const onError = (): void => finish({ ok: false, error: Errors.HTTP_BAD_REQUEST });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, closeConnection = false): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** The legacy API's error shape: `{"success": false, "error": {"code", "message"}}`. */
export function sendError(res: ServerResponse, error: ErrorSpec, closeConnection = false): void {
  sendJson(res, error.httpStatus, { success: false, error: { code: error.code, message: error.message } }, closeConnection);
}
