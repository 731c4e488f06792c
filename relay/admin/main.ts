/**
 * `npm run admin -- …`: technician and admin accounts in the relay's database. An entry
 * point: the only place here that reads the environment and the command line.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { openDatabase } from '../store/database';
import { ADMIN_USAGE, AdminUsageError, needsPassword, runAdminCommand, type AdminIo } from './admin-command';

/** Reads a line from the terminal without showing it (or the first line of a pipe). */
function readSecretLine(prompt: string): Promise<string> {
  const tty = process.stdin.isTTY === true;
  let muted = false;
  // On a terminal the prompt shows, the typing does not.
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: tty });
  return new Promise((resolve, reject) => {
    rl.question(prompt, (answer) => {
      // Settled before closing: closing fires 'close', which would reject.
      resolve(answer);
      rl.close();
      if (tty) process.stderr.write('\n');
    });
    muted = tty;
    rl.once('close', () => reject(new Error('no password given')));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--data-dir');
  const dataDir = i >= 0 ? argv.splice(i, 2)[1] : process.env.RELAY_DATA_DIR ?? 'data';
  if (argv.length === 0 || argv.includes('--help')) {
    process.stdout.write(`${ADMIN_USAGE}\n`);
    return;
  }
  let password: string | undefined;
  if (needsPassword(argv)) {
    password = await readSecretLine('New password: ');
    if (process.stdin.isTTY === true && (await readSecretLine('Again: ')) !== password) {
      process.stderr.write('admin: the two passwords differ\n');
      process.exitCode = 1;
      return;
    }
  }
  const io: AdminIo = { out: (line) => process.stdout.write(`${line}\n`), ...(password !== undefined ? { password } : {}) };
  const url = process.env.DATABASE_URL;
  const db = await openDatabase({ ...(url ? { url } : {}), dataDir: dataDir ?? 'data' });
  try {
    process.exitCode = await runAdminCommand(argv, db, io);
  } catch (error) {
    if (!(error instanceof AdminUsageError)) throw error;
    process.stderr.write(`admin: ${error.message}\n\n${ADMIN_USAGE}\n`);
    process.exitCode = 2;
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
