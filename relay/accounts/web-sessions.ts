import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/database';
import type { User, UserRole } from './users';

/** How long a sign-in lasts: a working day and a bit, then the technician signs in again. */
export const WEB_SESSION_TTL_MS = 12 * 3600 * 1000;
/** Bytes of a session token: unguessable, and only its hash is stored. */
const TOKEN_BYTES = 32;

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

interface SessionRow {
  id: string | number;
  username: string;
  display_name: string;
  role: UserRole;
  created_at: Date | string;
}

/**
 * Signed-in browsers: each holds a random token in an HttpOnly cookie; the database holds
 * only its SHA-256 (a copy of the table signs no one in). A session ends when it expires,
 * when its browser signs out, or when the account signs out everywhere or gets a new
 * password (sessions_valid_after).
 */
export class WebSessions {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** A new session for `userId`; the token goes to the browser and nowhere else. */
  async create(userId: number): Promise<string> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    await this.db.query('INSERT INTO web_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      tokenHash(token), userId, new Date(this.now() + WEB_SESSION_TTL_MS),
    ]);
    // Expired rows go as new ones come: the table holds live sessions, and a few more.
    await this.db.query('DELETE FROM web_sessions WHERE expires_at < $1', [new Date(this.now())]);
    return token;
  }

  /** The signed-in account of `token`, or undefined (unknown, expired, or signed out since). */
  async user(token: string | undefined): Promise<User | undefined> {
    if (token === undefined || token.length < 16 || token.length > 128) return undefined;
    const { rows } = await this.db.query<SessionRow>(
      `SELECT u.id, u.username, u.display_name, u.role, u.created_at FROM web_sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.created_at >= u.sessions_valid_after`,
      [tokenHash(token), new Date(this.now())],
    );
    const row = rows[0];
    return row === undefined ? undefined
      : { id: Number(row.id), username: row.username, displayName: row.display_name, role: row.role, createdAt: new Date(row.created_at) };
  }

  /** Ends this browser's session. */
  async end(token: string): Promise<void> {
    await this.db.query('DELETE FROM web_sessions WHERE token_hash = $1', [tokenHash(token)]);
  }

  /** Ends every session of the account, on every browser. */
  async endAll(userId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE users SET sessions_valid_after = now() WHERE id = $1', [userId]);
      await tx.query('DELETE FROM web_sessions WHERE user_id = $1', [userId]);
    });
  }
}
