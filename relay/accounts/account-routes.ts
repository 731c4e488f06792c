import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors } from '../../protocol';
import { addressKey, peerAddress, type TrustedProxies } from '../client-address';
import { readBody, sendError, sendJson } from '../http-util';
import type { AccountService } from './sign-in';
import { rangeOf, statistics, statisticsCsv } from '../stats/statistics';
import type { WaitingBoard } from './waiting-board';
import { MAX_PASSWORD_LENGTH } from './passwords';
import type { User } from './users';
import { WEB_SESSION_TTL_MS } from './web-sessions';

/** The cookie that carries a sign-in. */
export const SESSION_COOKIE = 'ce_session';
/** A sign-in request is a user name and a password: a few hundred bytes. */
const MAX_SIGN_IN_BODY_BYTES = 4096;
const PREFIX = '/api/account/';

/** The value of cookie `name` in the request, if any. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function userView(user: User): { username: string; displayName: string; role: string } {
  return { username: user.username, displayName: user.displayName, role: user.role };
}

/**
 * The sign-in API of the relay, under /api/account/ (and, for signed-in technicians,
 * `GET waiting`: the waiting customers as server-sent events, see WaitingBoard):
 *
 * - `POST signin` `{"username","password"}` → 200 `{"user"}` and the session cookie
 *   (HttpOnly, SameSite=Strict, Secure when the relay serves TLS); 401
 *   RS_ERR_SIGNIN_FAILED; 429 RS_ERR_SIGNIN_BLOCKED;
 * - `GET me` → 200 `{"user"}`, or 401 RS_ERR_SIGNIN_REQUIRED;
 * - `POST signout` (this browser), `POST signout-everywhere` (every browser of the account).
 *
 * Writes accept only `application/json`: a form on another site cannot send that without
 * the browser asking first, and the cookie is SameSite=Strict besides.
 */
export class AccountRoutes {
  constructor(
    private readonly accounts: AccountService,
    private readonly proxies: TrustedProxies,
    private readonly secureCookie: boolean,
    private readonly waiting: WaitingBoard,
  ) {}

  handles(pathname: string): boolean {
    return pathname.startsWith(PREFIX);
  }

  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const route = pathname.slice(PREFIX.length);
    const address = addressKey(peerAddress(req, this.proxies));
    if (route === 'waiting' && req.method === 'GET') {
      // The customers waiting now, live (server-sent events): signed-in technicians only.
      const user = await this.accounts.sessions.user(cookieValue(req, SESSION_COOKIE));
      if (user === undefined) sendError(res, Errors.SIGNIN_REQUIRED);
      else if (!this.waiting.watch(res, user.id)) sendError(res, Errors.LIMIT_SERVER_FULL);
      return;
    }
    if ((route === 'stats' || route === 'stats.csv') && req.method === 'GET') return this.statistics(req, res, route === 'stats.csv');
    if (route === 'me' && req.method === 'GET') {
      const user = await this.accounts.sessions.user(cookieValue(req, SESSION_COOKIE));
      if (user === undefined) sendError(res, Errors.SIGNIN_REQUIRED);
      else sendJson(res, 200, { success: true, user: userView(user) });
      return;
    }
    if (req.method !== 'POST' || !['signin', 'signout', 'signout-everywhere'].includes(route)) {
      sendError(res, Errors.HTTP_NOT_FOUND);
      return;
    }
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      sendError(res, Errors.HTTP_BAD_REQUEST);
      return;
    }
    const body = await readBody(req, MAX_SIGN_IN_BODY_BYTES);
    if (!body.ok) {
      sendError(res, body.error, true);
      return;
    }
    const token = cookieValue(req, SESSION_COOKIE);
    switch (route) {
      case 'signin':
        return this.signIn(res, body.text, address);
      case 'signout':
        if (token !== undefined) await this.accounts.signOut(token, address);
        this.setCookie(res, '', 0);
        sendJson(res, 200, { success: true });
        return;
      default: {
        const user = await this.accounts.sessions.user(token);
        if (user === undefined) {
          sendError(res, Errors.SIGNIN_REQUIRED);
          return;
        }
        await this.accounts.signOutEverywhere(user, address);
        this.setCookie(res, '', 0);
        sendJson(res, 200, { success: true });
      }
    }
  }

  /**
   * Usage statistics (`stats`, JSON) or the session records as CSV (`stats.csv`), for
   * admins only: `?from=YYYY-MM-DD&to=YYYY-MM-DD[&technician=<name>]`, UTC days, `to` included.
   */
  private async statistics(req: IncomingMessage, res: ServerResponse, csv: boolean): Promise<void> {
    const user = await this.accounts.sessions.user(cookieValue(req, SESSION_COOKIE));
    if (user === undefined) return sendError(res, Errors.SIGNIN_REQUIRED);
    if (user.role !== 'admin') return sendError(res, Errors.ADMIN_REQUIRED);
    const params = new URL(req.url ?? '/', 'http://relay').searchParams;
    const technician = params.get('technician') ?? undefined;
    if (technician !== undefined && technician.length > 64) return sendError(res, Errors.HTTP_BAD_REQUEST);
    const range = rangeOf({ from: params.get('from') ?? '', to: params.get('to') ?? '' });
    if (typeof range === 'string') return sendError(res, Errors.HTTP_BAD_REQUEST);
    if (!csv) {
      sendJson(res, 200, { success: true, ...await statistics(this.accounts.db, range, technician) });
      return;
    }
    const text = await statisticsCsv(this.accounts.db, range, technician);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="compueasys-sessions-${params.get('from')}-${params.get('to')}.csv"`,
      'cache-control': 'no-store',
    });
    res.end(text);
  }

  private async signIn(res: ServerResponse, text: string, address: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const { username, password } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > MAX_PASSWORD_LENGTH) {
      sendError(res, Errors.HTTP_BAD_REQUEST);
      return;
    }
    const result = await this.accounts.signIn(username, password, address);
    if (!result.ok) {
      sendError(res, result.why === 'blocked' ? Errors.SIGNIN_BLOCKED : Errors.SIGNIN_FAILED);
      return;
    }
    this.setCookie(res, result.token, WEB_SESSION_TTL_MS / 1000);
    sendJson(res, 200, { success: true, user: userView(result.user) });
  }

  private setCookie(res: ServerResponse, value: string, maxAgeSeconds: number): void {
    const attributes = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(maxAgeSeconds)}`];
    if (this.secureCookie) attributes.push('Secure');
    res.setHeader('set-cookie', attributes.join('; '));
  }
}
