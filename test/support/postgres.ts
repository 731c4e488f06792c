import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './require-tool';

/** A PostgreSQL server of its own for a test file: on a Unix socket in a fresh directory, no TCP port. */
export interface TestPostgres {
  /** For `pg` and DATABASE_URL. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Debian's binaries (package postgresql): /usr/lib/postgresql/<version>/bin. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Whether PostgreSQL is installed (loud skip outside CI, failure with CI=true, as every system tool). */
export function hasPostgres(): boolean {
  if (postgresBin() !== undefined) return true;
  return requireTool('/usr/lib/postgresql/*/bin/postgres', 'postgresql');
}

/**
 * initdb in a temporary directory and a server on a socket in it, trusted for local
 * connections only (nothing listens on the network). PostgreSQL refuses to run as root:
 * as root, the files go to the `postgres` user Debian's package creates, and the server
 * runs as it.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed: apt-get install postgresql (or run bash scripts/setup.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'ce-postgres-'));
  const asUser = userInfo().uid === 0 ? postgresAccount() : undefined;
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    ...(asUser ?? {}), encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const server: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'fsync=off', '-c', 'full_page_writes=off'], {
    ...(asUser ?? {}), stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start in 30 s:\n${log}`)), 30_000);
    server.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      // Said once the server takes connections (after recovery and start-up).
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}):\n${log}`));
    });
  });
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresAccount(): { uid: number; gid: number } {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) throw new Error('running as root, but there is no postgres user to run PostgreSQL as (apt-get install postgresql creates it)');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
