import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AccountService, SIGN_IN_ATTEMPTS } from '../../relay/accounts/sign-in';
import { SYSTEM_CLOCK } from '../../relay/clock';
import { createRelay, type Relay } from '../../relay/server';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { loopbackAddress } from '../support/from-address';
import { ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';

interface Answer {
  status: number;
  json: any;
  setCookie: string | undefined;
}

/** One call of the account API from `from` (a loopback source address), with an optional cookie. */
function call(relay: Relay, path: string, options: { from: string; body?: unknown; cookie?: string; contentType?: string; raw?: string }): Promise<Answer> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(new URL(`/api/account/${path}`, relay.url), {
      method: payload === undefined ? 'GET' : 'POST',
      localAddress: options.from,
      headers: {
        ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      res.on('end', () => {
        const header = res.headers['set-cookie'];
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text), setCookie: header?.[0] });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `ce_session=<token>` out of a Set-Cookie header. */
function cookieOf(setCookie: string | undefined): string {
  const pair = setCookie?.split(';')[0];
  if (pair === undefined || !pair.startsWith('ce_session=')) throw new Error(`no session cookie in ${setCookie}`);
  return pair;
}

describe('signing in to the relay (the account API, PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ce-signin-'));
  let db: Database;
  let relay: Relay;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: join(dir, 'db') });
    await migrate(db);
    const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
    await accounts.users.add('ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery');
    await accounts.users.add('luis', 'Luis', 'technician', 'another long password');
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS }, logger: pino({ level: 'silent' }), accounts });
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the right password signs in: an HttpOnly, SameSite=Strict cookie, no Secure without TLS; "me" answers with the account, never its hash', async () => {
    const from = loopbackAddress(91, 0);
    const answer = await call(relay, 'signin', { from, body: { username: 'ana', password: 'correct horse battery' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ success: true, user: { username: 'ana', displayName: 'Ana López (CompuEasys)', role: 'technician' } });
    const attributes = answer.setCookie!.split(';').map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=43200']));
    expect(attributes).not.toContain('Secure');
    expect(cookieOf(answer.setCookie)).toMatch(/^ce_session=[A-Za-z0-9_-]{43}$/);
    const me = await call(relay, 'me', { from, cookie: cookieOf(answer.setCookie) });
    expect(me).toMatchObject({ status: 200, json: { user: { username: 'ana' } } });
    expect(JSON.stringify(me.json)).not.toContain('scrypt');
    expect((await call(relay, 'me', { from })).json.error.code).toBe('RS_ERR_SIGNIN_REQUIRED');
    expect((await call(relay, 'me', { from, cookie: 'ce_session=forged-forged-forged-forged' })).status).toBe(401);
  });

  test('a wrong password or an unknown name: 401 with a stable code, and no cookie', async () => {
    const from = loopbackAddress(91, 1);
    for (const body of [{ username: 'ana', password: 'wrong horse battery' }, { username: 'nadie', password: 'correct horse battery' }]) {
      const answer = await call(relay, 'signin', { from, body });
      expect(answer.status).toBe(401);
      expect(answer.json.error.code).toBe('RS_ERR_SIGNIN_FAILED');
      expect(answer.setCookie).toBeUndefined();
    }
  });

  test('too many failures from one address block it (even with the right password), not the other addresses', async () => {
    const guesser = loopbackAddress(92, 0);
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) {
      expect((await call(relay, 'signin', { from: guesser, body: { username: `nadie${i}`, password: 'guess guess guess' } })).status).toBe(401);
    }
    const blocked = await call(relay, 'signin', { from: guesser, body: { username: 'luis', password: 'another long password' } });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('RS_ERR_SIGNIN_BLOCKED');
    expect((await call(relay, 'signin', { from: loopbackAddress(92, 1), body: { username: 'luis', password: 'another long password' } })).status).toBe(200);
  });

  test('too many failures on one account, spread over many addresses, block that account for a while', async () => {
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) {
      expect((await call(relay, 'signin', { from: loopbackAddress(93, i), body: { username: 'luis', password: `guess number ${i}` } })).status).toBe(401);
    }
    expect((await call(relay, 'signin', { from: loopbackAddress(93, 200), body: { username: 'luis', password: 'another long password' } })).status).toBe(429);
    expect((await call(relay, 'signin', { from: loopbackAddress(93, 201), body: { username: 'ana', password: 'correct horse battery' } })).status).toBe(200);
  });

  test('sign out ends this browser\'s session; sign out everywhere ends every browser\'s', async () => {
    const from = loopbackAddress(94, 0);
    const first = cookieOf((await call(relay, 'signin', { from, body: { username: 'ana', password: 'correct horse battery' } })).setCookie);
    const second = cookieOf((await call(relay, 'signin', { from, body: { username: 'ana', password: 'correct horse battery' } })).setCookie);
    const third = cookieOf((await call(relay, 'signin', { from, body: { username: 'ana', password: 'correct horse battery' } })).setCookie);
    const out = await call(relay, 'signout', { from, cookie: first, body: {} });
    expect(out.status).toBe(200);
    expect(out.setCookie).toContain('Max-Age=0');
    expect((await call(relay, 'me', { from, cookie: first })).status).toBe(401);
    expect((await call(relay, 'me', { from, cookie: second })).status).toBe(200);
    expect((await call(relay, 'signout-everywhere', { from, cookie: second, body: {} })).status).toBe(200);
    expect((await call(relay, 'me', { from, cookie: second })).status).toBe(401);
    expect((await call(relay, 'me', { from, cookie: third })).status).toBe(401);
  });

  test('abuse: a form post (not JSON), a huge body, a wrong shape, a GET of a write, an unknown route: refused, the relay goes on', async () => {
    const from = loopbackAddress(95, 0);
    expect((await call(relay, 'signin', { from, raw: 'username=ana&password=correct+horse+battery', contentType: 'application/x-www-form-urlencoded' })).status).toBe(400);
    expect((await call(relay, 'signin', { from, raw: JSON.stringify({ username: 'ana', password: 'x'.repeat(10_000) }) })).status).toBe(413);
    expect((await call(relay, 'signin', { from, body: { username: ['ana'], password: 1 } })).status).toBe(400);
    expect((await call(relay, 'signin', { from, raw: '{not json' })).status).toBe(400);
    expect((await call(relay, 'signin', { from })).status).toBe(404);
    expect((await call(relay, 'drop-tables', { from, body: {} })).status).toBe(404);
    expect((await call(relay, 'signin', { from, body: { username: 'ana', password: 'correct horse battery' } })).status).toBe(200);
  });

  test('the audit trail has each sign-in, failure and block with its address, and never a password or a token', async () => {
    const { rows } = await db.query<{ kind: string; address: string | null; detail: unknown }>('SELECT kind, address, detail FROM audit_events ORDER BY id');
    const kinds = new Set(rows.map((r) => r.kind));
    for (const kind of ['sign-in', 'sign-in-failed', 'sign-in-blocked', 'sign-out', 'sign-out-everywhere']) expect(kinds).toContain(kind);
    expect(rows.every((r) => typeof r.address === 'string' && r.address.startsWith('127.'))).toBe(true);
    const everything = JSON.stringify(rows);
    for (const secret of ['correct horse battery', 'another long password', 'guess', 'ce_session']) expect(everything).not.toContain(secret);
  });
});
