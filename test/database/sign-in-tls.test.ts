import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AccountService } from '../../relay/accounts/sign-in';
import { SYSTEM_CLOCK } from '../../relay/clock';
import { createRelay, type Relay } from '../../relay/server';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { requireTool } from '../support/require-tool';

const hasOpenssl = requireTool('openssl', 'openssl');

/** Under TLS the session cookie is also Secure: a browser never sends it over plain http. */
(hasOpenssl ? describe : describe.skip)('the sign-in cookie under TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ce-signin-tls-'));
  let db: Database;
  let relay: Relay;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    db = await openDatabase({ dataDir: join(dir, 'db') });
    await migrate(db);
    const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
    await accounts.users.add('ana', 'Ana', 'technician', 'correct horse battery');
    relay = await createRelay({
      options: { port: 0, host: '127.0.0.1', tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') },
      logger: pino({ level: 'silent' }), accounts,
    });
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is HttpOnly, SameSite=Strict and Secure', async () => {
    const body = JSON.stringify({ username: 'ana', password: 'correct horse battery' });
    const setCookie = await new Promise<string>((resolve, reject) => {
      const req = request(`${relay.url}/api/account/signin`, {
        method: 'POST', rejectUnauthorized: false, // the test's own self-signed certificate
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['set-cookie']?.[0] ?? ''));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(setCookie.split(';').map((a) => a.trim())).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Secure']));
  });
});
