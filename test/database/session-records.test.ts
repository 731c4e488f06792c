import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRelay, type Relay } from '../../relay/server';
import { DatabaseLedger } from '../../relay/stats/session-ledger';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { hasPostgres, startTestPostgres } from '../support/postgres';
import { eventually, legacyCall, ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';
import { pairSealed } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';

interface Row {
  relay_session_id: string;
  paired_at: Date | null;
  duration_ms: string | number;
  technician_user_id: string | number | null;
  technician_name: string;
  customer_name: string;
  view_only: boolean;
  bytes_to_technician: string | number;
  bytes_to_customer: string | number;
  end_reason: string;
  sealed: boolean;
  legacy: boolean;
}

type Backend = () => Promise<{ open(): Promise<Database>; done(): Promise<void> }>;
const backends: [string, Backend][] = [
  ['PGlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-records-'));
    return { open: () => openDatabase({ dataDir: join(dir, 'db') }), done: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ...(hasPostgres() ? [['PostgreSQL', async () => {
    const server = await startTestPostgres();
    return { open: () => openDatabase({ url: server.url }), done: () => server.stop() };
  }] as [string, Backend]] : []),
];

/**
 * Issue 16 (3): every session leaves one record, through a real relay, for WebSocket and
 * legacy peers alike; the records are exactly what happened, survive a restart, and hold
 * no access code.
 */
describe.each(backends)('session records in the database: %s', (_name, backend) => {
  let store: Awaited<ReturnType<Backend>>;
  let db: Database;
  let ledger: DatabaseLedger;
  let relay: Relay;
  const codes: string[] = [];

  beforeAll(async () => {
    store = await backend();
    db = await store.open();
    await migrate(db);
    ledger = new DatabaseLedger(db, pino({ level: 'silent' }));
    // Room for every test but the guessing one, whose address may guess 3 times.
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS, codeAttemptsPerIp: 3 }, logger: pino({ level: 'silent' }), ledger });
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await db?.close();
    await store?.done();
  });

  async function rows(): Promise<Row[]> {
    await ledger.flushed();
    return (await db.query<Row>('SELECT * FROM session_records ORDER BY id')).rows;
  }

  test('a sealed WebSocket session, view-only, ended by the technician: one row, paired, sealed, bytes both ways', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl, { viewOnly: true });
    await client.send({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 640, height: 480, primary: true }], streaming: 0 });
    await tech.receive();
    await tech.send({ type: 'refresh', reason: 'requested' });
    await client.receive();
    tech.peer.sendJson({ type: 'bye' });
    await client.peer.until('peer-left');
    await eventually(() => relay.hub.counts().paired === 0, 5000, 'the session to end');
    const [row] = await rows();
    expect(row).toMatchObject({ technician_name: '', technician_user_id: null, view_only: true, sealed: true, legacy: false, end_reason: 'bye' });
    expect(row!.paired_at).not.toBeNull();
    expect(Number(row!.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(row!.bytes_to_technician)).toBeGreaterThan(0);
    expect(Number(row!.bytes_to_customer)).toBeGreaterThan(0);
  });

  test('a legacy client with a legacy technician: one row, legacy, in clear, the names they gave', async () => {
    const code = '385621';
    codes.push(code);
    const reg = await legacyCall(relay.url, 'register_client/', { client_id: 'PC-VIEJO', access_code: code });
    expect(reg.status).toBe(200);
    const joined = await legacyCall(relay.url, 'connect_technician/', { access_code: code, technician_name: 'Pedro (CompuEasys)' });
    expect(joined.status).toBe(200);
    expect((await legacyCall(relay.url, 'disconnect/', { session_id: joined.json.session_id })).status).toBe(200);
    await eventually(() => relay.hub.counts().paired === 0, 5000, 'the session to end');
    const last = (await rows()).at(-1)!;
    expect(last).toMatchObject({ technician_name: 'Pedro (CompuEasys)', customer_name: 'PC-VIEJO', view_only: false, sealed: false, legacy: true });
    expect(last.paired_at).not.toBeNull();
  });

  test('a customer who waited and left without a technician: a row that never paired, duration 0', async () => {
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC-SOLO' });
    codes.push((await client.next('code')).code);
    client.sendJson({ type: 'bye' });
    await eventually(() => relay.hub.counts().waiting === 0, 5000, 'the session to end');
    const last = (await rows()).at(-1)!;
    expect(last).toMatchObject({ customer_name: 'PC-SOLO', technician_name: '', paired_at: null, end_reason: 'bye' });
    expect(Number(last.duration_ms)).toBe(0);
    expect(await rows()).toHaveLength(3);
  });

  test('wrong codes and the block they lead to are audit events with the address, never with the code', async () => {
    const guesses = ['100001', '100002', '100003', '100004'];
    codes.push(...guesses);
    for (const guess of guesses) {
      const guesser = await WsTestPeer.hello(relay.wsUrl, 'technician', { localAddress: '127.77.0.1' });
      guesser.sendJson({ type: 'join', code: guess, name: 'Adivino' });
      await guesser.until('error');
      guesser.close();
    }
    await ledger.flushed();
    const { rows: events } = await db.query<{ kind: string; address: string; detail: { why: string } }>(
      "SELECT kind, address, detail FROM audit_events WHERE address = '127.77.0.1' ORDER BY id",
    );
    const whys = events.map((e) => `${e.kind} ${e.detail.why}`);
    expect(whys).toEqual(['refused RS_ERR_CODE_INVALID', 'refused RS_ERR_CODE_INVALID', 'refused RS_ERR_CODE_INVALID', 'blocked RS_ERR_CODE_ATTEMPTS']);
  });

  test('retention: records and audit events older than the kept days go, the others stay', async () => {
    await ledger.flushed();
    const before = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM session_records')).rows[0]!.n);
    const old = new Date(Date.now() - 400 * 24 * 3600 * 1000);
    await db.query(`INSERT INTO session_records (relay_session_id, started_at, paired_at, ended_at, duration_ms, technician_name, customer_name,
      view_only, bytes_to_technician, bytes_to_customer, end_reason, sealed, legacy) VALUES ('old', $1, NULL, $1, 0, '', 'PC-ANTIGUO', false, 0, 0, 'bye', true, false)`, [old]);
    await db.query("INSERT INTO audit_events (at, kind, address) VALUES ($1, 'refused', '127.0.0.1')", [old]);
    expect(await ledger.prune(365)).toBe(2);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM session_records')).rows[0]!.n)).toBe(before);
  });

  test('no access code anywhere in the database, and the records are still there after a restart', async () => {
    await relay.close();
    await ledger.flushed();
    await db.close();
    db = await store.open();
    expect(await migrate(db)).toEqual([]);
    const everything = JSON.stringify([
      ...(await db.query('SELECT * FROM session_records')).rows,
      ...(await db.query('SELECT * FROM audit_events')).rows,
    ]);
    for (const code of codes) expect(everything).not.toContain(code);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM session_records')).rows[0]!.n)).toBe(3);
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'silent' }) });
  });
});
