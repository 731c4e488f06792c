import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../relay/store/database';

const ADMIN = resolve(__dirname, '../../dist/relay/admin.js');

/** Runs `npm run admin`'s program (the build), with `stdin` piped in; resolves with its exit status and output. */
function admin(args: string[], dataDir: string, stdin = ''): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ADMIN, ...args, '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    child.once('error', fail);
    child.once('exit', (status) => done({ status, out, err }));
    child.stdin.end(stdin);
  });
}

describe('npm run admin: technician accounts from the command line (PGlite in a data directory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ce-admin-'));
  const data = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    if (!existsSync(ADMIN)) throw new Error('build first: npm run build');
  });

  test('add, list, a new password, remove; the database keeps no password, only its hash', async () => {
    const added = await admin(['user', 'add', 'ana', '--name', 'Ana López (CompuEasys)'], data, 'una contraseña larga\n');
    expect(added).toMatchObject({ status: 0, out: 'added ana (technician)\n' });
    expect((await admin(['user', 'add', 'jefe', '--name', 'Jefe', '--role', 'admin'], data, 'otra contraseña larga\n')).status).toBe(0);
    const listed = await admin(['user', 'list'], data);
    expect(listed.status).toBe(0);
    expect(listed.out.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['ana', 'technician', 'Ana López (CompuEasys)'], ['jefe', 'admin', 'Jefe'],
    ]);
    expect(await admin(['user', 'passwd', 'ana'], data, 'la nueva contraseña\n')).toMatchObject({ status: 0 });
    expect(await admin(['user', 'remove', 'jefe'], data)).toMatchObject({ status: 0, out: 'removed jefe\n' });

    const db = await openDatabase({ dataDir: data });
    try {
      const { rows } = await db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM users');
      expect(rows.map((r) => r.username)).toEqual(['ana']);
      expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
      expect(rows[0]!.password_hash).not.toContain('contraseña');
    } finally {
      await db.close();
    }
  }, 60_000);

  test('refuses clearly: a taken name, a short password, no such user (status 1); a malformed command (status 2, with the usage)', async () => {
    expect(await admin(['user', 'add', 'ana', '--name', 'Otra'], data, 'una contraseña larga\n')).toMatchObject({ status: 1, out: 'refused: there is already a user ana\n' });
    expect((await admin(['user', 'add', 'luis', '--name', 'Luis'], data, 'corta\n')).out).toContain('refused: the password needs at least 10 characters');
    expect(await admin(['user', 'remove', 'nadie'], data)).toMatchObject({ status: 1, out: 'refused: there is no user nadie\n' });
    const bad = await admin(['user', 'add', 'luis'], data, 'una contraseña larga\n');
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('--name');
    expect(bad.err).toContain('Usage: npm run admin');
    expect((await admin(['user', 'add', 'luis', '--name', 'Luis', '--role', 'root'], data, 'una contraseña larga\n')).status).toBe(2);
    expect((await admin(['group', 'add'], data)).status).toBe(2);
  }, 60_000);
});
