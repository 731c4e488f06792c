import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import type { Relay } from '../../relay/server';
import { requireTool } from '../support/require-tool';
import { startTestRelay } from '../support/relay-harness';
import { pairSession } from '../support/ws-peer';

const hasOpenssl = requireTool('openssl', 'openssl');

/** The relay serving https and wss itself, with a throw-away self-signed certificate. */
(hasOpenssl ? describe : describe.skip)('TLS', () => {
  let relay: Relay;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    relay = await startTestRelay({ tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') });
  });
  afterAll(async () => {
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves wss:// and https:// directly when given a certificate and key', async () => {
    expect(relay.wsUrl).toMatch(/^wss:\/\//);
    const insecure = { rejectUnauthorized: false }; // the test's own self-signed certificate
    const { client, tech } = await pairSession(relay.wsUrl, { techOptions: insecure, clientOptions: insecure });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
    expect((await client.next('input')).seq).toBe(0);

    const health = await new Promise<string>((resolve, reject) => {
      request(`${relay.url}/healthz`, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    expect(JSON.parse(health)).toMatchObject({ status: 'ok', sessions: { paired: 1 } });
  });
});
