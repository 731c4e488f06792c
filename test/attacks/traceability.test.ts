import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createRelay, type Relay } from '../../relay/server';
import { ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';
import { closeAddressAgents, helloFrom, legacyCallFrom, loopbackAddress } from '../support/from-address';

/**
 * Finding 10, the lows: abuse could not be traced (no address in the log lines of joins,
 * refusals and blocks); `--trust-proxy` believed any caller's X-Forwarded-For; the agent
 * used plain ws:// to another machine without a word.
 */
describe('attack: hiding behind a forged X-Forwarded-For, and leaving no trace', () => {
  let relay: Relay;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    relay = await createRelay({
      options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS, codeAttemptsPerIp: 3, trustProxy: ['127.80.0.1'] },
      logger: pino({ level: 'info' }, sink),
    });
  });
  afterAll(async () => {
    closeAddressAgents();
    await relay.close();
  });

  test('X-Forwarded-For is believed only from the listed proxy; each guess is logged with the address it counted against', async () => {
    const forged = { 'x-forwarded-for': '198.51.100.1' };
    // Not a listed proxy: its own address counts, whatever header it sends; 3 guesses, then blocked.
    const direct = loopbackAddress(81, 0);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const forgedEach = { 'x-forwarded-for': `198.51.100.${i + 10}` };
      statuses.push((await legacyCallFrom(relay.url, 'connect_technician/', { access_code: String(400_000 + i) }, direct, forgedEach)).status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    // The listed proxy: the client it names is the one limited, and logged.
    const viaProxy = await legacyCallFrom(relay.url, 'connect_technician/', { access_code: '400100' }, '127.80.0.1', forged);
    expect(viaProxy.status).toBe(404);

    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const refusals = log.filter((l) => l.msg === 'refused');
    expect(refusals.filter((l) => l.address === direct && l.why === 'RS_ERR_CODE_INVALID')).toHaveLength(3);
    expect(refusals.filter((l) => l.address === direct && l.why === 'RS_ERR_CODE_ATTEMPTS')).toHaveLength(1);
    expect(refusals.filter((l) => l.address === '198.51.100.1')).toHaveLength(1);
    expect(log.some((l) => typeof l.address === 'string' && (l.address as string).startsWith('198.51.100.1') && l.address !== '198.51.100.1')).toBe(false);
  });

  test('joins are logged with the technician\'s address', async () => {
    const client = await helloFrom(relay.wsUrl, 'client', loopbackAddress(82, 0));
    client.sendJson({ type: 'register', name: 'PC' });
    const { code } = await client.next('code');
    const tech = await helloFrom(relay.wsUrl, 'technician', loopbackAddress(83, 0));
    tech.sendJson({ type: 'join', code, name: 'Ana' });
    await tech.next('waiting-consent');
    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log).toContainEqual(expect.objectContaining({ msg: 'client registered', address: loopbackAddress(82, 0) }));
    expect(log).toContainEqual(expect.objectContaining({ msg: 'technician joined', address: loopbackAddress(83, 0) }));
    // Addresses, yes; the code, never.
    expect(lines.join('')).not.toContain(code);
  });
});

describe('the agent about to use plain ws:// to another machine', () => {
  test('says so, in Spanish and English, before it connects', async () => {
    const main = resolve(__dirname, '../../dist/client/main.js');
    // 192.0.2.1 is a documentation address: nothing answers there, and the warning comes first.
    const child = spawn(process.execPath, [main, '--relay', 'ws://192.0.2.1:8080/ws', '--accept', 'deny'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: '' },
    });
    const stderr = await new Promise<string>((done) => {
      let text = '';
      child.stderr!.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      child.once('exit', () => done(text));
    });
    expect(stderr).toContain('no está cifrada (ws://)');
    expect(stderr).toContain('not encrypted (ws://)');
    expect(stderr).toContain('192.0.2.1:8080');
  });
});
