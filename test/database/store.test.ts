import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountError, UserStore } from '../../relay/accounts/users';
import { hashPassword, verifyPassword } from '../../relay/accounts/passwords';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate, MIGRATIONS } from '../../relay/store/migrations';
import { hasPostgres, startTestPostgres, type TestPostgres } from '../support/postgres';

/** The same tests against both databases: the same SQL and migrations must work on each. */
const backends: [string, () => Promise<{ db: Database; reopen(): Promise<Database>; done(): Promise<void> }>][] = [
  ['PGlite in a data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-pglite-'));
    const open = () => openDatabase({ dataDir: join(dir, 'db') });
    return { db: await open(), reopen: open, done: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ...(hasPostgres() ? [['PostgreSQL (a real server)', async () => {
    const server: TestPostgres = await startTestPostgres();
    const open = () => openDatabase({ url: server.url });
    return { db: await open(), reopen: open, done: () => server.stop() };
  }] as [string, () => Promise<{ db: Database; reopen(): Promise<Database>; done(): Promise<void> }>]] : []),
];

describe.each(backends)('the relay\'s database: %s', (_name, start) => {
  let db: Database;
  let reopen: () => Promise<Database>;
  let done: () => Promise<void>;

  beforeAll(async () => {
    ({ db, reopen, done } = await start());
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await done?.();
  });

  test('migrations apply once, in order, and a second start applies nothing', async () => {
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  test('accounts: added, listed without their hash, checked, given a new password, removed', async () => {
    const users = new UserStore(db);
    const ana = await users.add('ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery');
    expect(ana).toMatchObject({ username: 'ana', displayName: 'Ana López (CompuEasys)', role: 'technician' });
    await users.add('jefe', 'Jefe', 'admin', 'another long password');
    expect((await users.list()).map((u) => [u.username, u.role])).toEqual([['ana', 'technician'], ['jefe', 'admin']]);
    expect(JSON.stringify(await users.list())).not.toContain('scrypt');

    expect(await users.check('ana', 'correct horse battery')).toMatchObject({ id: ana.id });
    expect(await users.check('ana', 'wrong horse battery')).toBeUndefined();
    expect(await users.check('nadie', 'correct horse battery')).toBeUndefined();
    expect(await users.check('ANA; DROP TABLE users', 'x')).toBeUndefined();

    expect(await users.setPassword('ana', 'a brand new passphrase')).toBe(true);
    expect(await users.check('ana', 'correct horse battery')).toBeUndefined();
    expect(await users.check('ana', 'a brand new passphrase')).toMatchObject({ id: ana.id });
    expect(await users.setPassword('nadie', 'a brand new passphrase')).toBe(false);

    expect(await users.remove('jefe')).toBe(true);
    expect(await users.remove('jefe')).toBe(false);
    expect((await users.list()).map((u) => u.username)).toEqual(['ana']);
  });

  test('refuses what an account cannot be: a taken or malformed name, a short or huge password, an unknown role', async () => {
    const users = new UserStore(db);
    await expect(users.add('ana', 'Otra Ana', 'technician', 'correct horse battery')).rejects.toThrow(AccountError);
    for (const name of ['', 'Ana', 'a b', 'x'.repeat(65), '../../etc', 'ana\u0000']) {
      await expect(users.add(name, 'Alguien', 'technician', 'correct horse battery')).rejects.toThrow(AccountError);
    }
    await expect(users.add('corto', 'Corto', 'technician', 'short')).rejects.toThrow(AccountError);
    await expect(users.add('largo', 'Largo', 'technician', 'x'.repeat(257))).rejects.toThrow(AccountError);
    await expect(users.add('raro', 'Raro', 'root' as never, 'correct horse battery')).rejects.toThrow(AccountError);
    await expect(users.add('vacio', '   ', 'technician', 'correct horse battery')).rejects.toThrow(AccountError);
  });

  test('what was stored is there after the database is opened again (a relay restart)', async () => {
    await db.close();
    db = await reopen();
    expect(await migrate(db)).toEqual([]);
    expect((await new UserStore(db).list()).map((u) => u.username)).toEqual(['ana']);
  });

  test('a transaction that fails leaves nothing behind', async () => {
    await expect(db.transaction(async (tx) => {
      await tx.query("INSERT INTO audit_events (kind) VALUES ('test')");
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE kind = 'test'");
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('password hashes', () => {
  test('scrypt, salted (the same password twice gives two hashes), verified in constant time, malformed ones refused', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    for (const bad of ['', 'scrypt$1$1$1$$', 'md5$x', 'scrypt$99999999$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==', a.replace(/\$[^$]+$/, '$AA==')]) {
      expect(await verifyPassword('correct horse battery', bad)).toBe(false);
    }
    // Composed and decomposed accents are the same password.
    expect(await verifyPassword('contrase\u006e\u0303a segura', await hashPassword('contraseña segura'))).toBe(true);
  });
});
