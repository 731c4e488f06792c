import type { Database, Queryable } from '../store/database';
import { decoyHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';

export type UserRole = 'technician' | 'admin';
export const USER_ROLES: readonly UserRole[] = Object.freeze(['technician', 'admin']);

/** A technician or admin account, as the relay shows it (never the hash). */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly createdAt: Date;
}

/** A user name: lower-case letters, digits, `.`, `_`, `-`, 1 … 64 (the schema checks it too). */
export const USERNAME_PATTERN = /^[a-z0-9._-]{1,64}$/;

/** Why an account could not be made or changed, in words for the admin command. */
export class AccountError extends Error {}

interface UserRow {
  id: string | number;
  username: string;
  display_name: string;
  role: UserRole;
  created_at: Date | string;
  password_hash?: string;
}

function toUser(row: UserRow): User {
  return { id: Number(row.id), username: row.username, displayName: row.display_name, role: row.role, createdAt: new Date(row.created_at) };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AccountError(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new AccountError(`the password may have at most ${MAX_PASSWORD_LENGTH} characters`);
}

function checkDisplayName(name: string): void {
  if (name.trim().length < 1 || name.length > 64) throw new AccountError('the name shown to customers needs 1 to 64 characters');
}

/** Technician and admin accounts in the relay's database. */
export class UserStore {
  constructor(private readonly db: Database) {}

  async add(username: string, displayName: string, role: UserRole, password: string): Promise<User> {
    if (!USERNAME_PATTERN.test(username)) throw new AccountError('a user name has 1 to 64 lower-case letters, digits, ".", "_" or "-"');
    checkDisplayName(displayName);
    if (!USER_ROLES.includes(role)) throw new AccountError(`the role is one of ${USER_ROLES.join(', ')}`);
    checkPassword(password);
    const hash = await hashPassword(password);
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (username, display_name, role, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING id, username, display_name, role, created_at`,
      [username, displayName, role, hash],
    );
    if (rows.length === 0) throw new AccountError(`there is already a user ${username}`);
    return toUser(rows[0]!);
  }

  /** Removes an account; false when there was none. Its sign-ins end with it. */
  async remove(username: string): Promise<boolean> {
    const { rows } = await this.db.query('DELETE FROM users WHERE username = $1 RETURNING id', [username]);
    return rows.length > 0;
  }

  async list(): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>('SELECT id, username, display_name, role, created_at FROM users ORDER BY username');
    return rows.map(toUser);
  }

  /** A new password; every session signed in before it ends (false: no such user). */
  async setPassword(username: string, password: string): Promise<boolean> {
    checkPassword(password);
    const hash = await hashPassword(password);
    const { rows } = await this.db.query(
      'UPDATE users SET password_hash = $2, sessions_valid_after = now() WHERE username = $1 RETURNING id', [username, hash],
    );
    if (rows.length > 0) await this.endSessionsOf(this.db, username);
    return rows.length > 0;
  }

  /**
   * The account when `password` is its password; undefined otherwise, taking as long for
   * a name that does not exist as for a wrong password.
   */
  async check(username: string, password: string): Promise<User | undefined> {
    const { rows } = USERNAME_PATTERN.test(username)
      ? await this.db.query<UserRow>('SELECT id, username, display_name, role, created_at, password_hash FROM users WHERE username = $1', [username])
      : { rows: [] as UserRow[] };
    const row = rows[0];
    const ok = await verifyPassword(password, row?.password_hash ?? await decoyHash());
    return row !== undefined && ok ? toUser(row) : undefined;
  }

  private async endSessionsOf(q: Queryable, username: string): Promise<void> {
    await q.query('DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)', [username]);
  }
}
