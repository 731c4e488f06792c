import { AccountError, USER_ROLES, UserStore, type UserRole } from '../accounts/users';
import type { Database } from '../store/database';
import { migrate } from '../store/migrations';

/** What the admin command may do to the world: write lines, and the password it was given. */
export interface AdminIo {
  out(line: string): void;
  /** The new password, asked for before the database was opened (see needsPassword). */
  readonly password?: string;
}

/**
 * Whether the command sets a password: the entry point asks for it first, before the
 * database opens, so that two passwords that differ cost no database start.
 */
export function needsPassword(argv: readonly string[]): boolean {
  return argv[0] === 'user' && (argv[1] === 'add' || argv[1] === 'passwd');
}

export const ADMIN_USAGE = `Usage: npm run admin -- <command>

  user add <username> --name "<name shown to customers>" [--role technician|admin]
  user passwd <username>      a new password (signs the user out everywhere)
  user remove <username>
  user list

The password is read from the terminal (asked twice, not shown) or from the first line of
standard input. The database is the relay's: DATABASE_URL (PostgreSQL), else PGlite in
RELAY_DATA_DIR or --data-dir <dir> (default ./data).`;

/** A mistake in the command line: the usage is shown, exit status 2. */
export class AdminUsageError extends Error {}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new AdminUsageError(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

/**
 * Runs one admin command against the relay's database (migrated first, so a fresh data
 * directory works). Returns the exit status: 0 done, 1 refused (the reason printed).
 */
export async function runAdminCommand(argv: readonly string[], db: Database, io: AdminIo): Promise<number> {
  const args = [...argv];
  const [noun, verb, username, ...rest] = args;
  if (noun !== 'user' || verb === undefined) throw new AdminUsageError('expected: user add|passwd|remove|list');
  await migrate(db);
  const users = new UserStore(db);
  try {
    switch (verb) {
      case 'list': {
        for (const u of await users.list()) io.out(`${u.username}\t${u.role}\t${u.displayName}\t${u.createdAt.toISOString()}`);
        return 0;
      }
      case 'add': {
        if (username === undefined) throw new AdminUsageError('user add needs a user name');
        const name = flag(rest, '--name');
        const role = (flag(rest, '--role') ?? 'technician') as UserRole;
        if (rest.length > 0) throw new AdminUsageError(`unexpected: ${rest.join(' ')}`);
        if (name === undefined) throw new AdminUsageError('user add needs --name "<name shown to customers>"');
        if (!USER_ROLES.includes(role)) throw new AdminUsageError(`--role is one of ${USER_ROLES.join(', ')}`);
        const user = await users.add(username, name, role, io.password ?? '');
        io.out(`added ${user.username} (${user.role})`);
        return 0;
      }
      case 'passwd': {
        if (username === undefined || rest.length > 0) throw new AdminUsageError('user passwd needs exactly a user name');
        if (!(await users.setPassword(username, io.password ?? ''))) throw new AccountError(`there is no user ${username}`);
        io.out(`new password for ${username}; their sign-ins ended`);
        return 0;
      }
      case 'remove': {
        if (username === undefined || rest.length > 0) throw new AdminUsageError('user remove needs exactly a user name');
        if (!(await users.remove(username))) throw new AccountError(`there is no user ${username}`);
        io.out(`removed ${username}`);
        return 0;
      }
      default:
        throw new AdminUsageError(`unknown command: user ${verb}`);
    }
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    io.out(`refused: ${error.message}`);
    return 1;
  }
}
