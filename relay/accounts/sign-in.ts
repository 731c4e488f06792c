import type { Logger } from 'pino';
import { AttemptLimiter } from '../attempt-limiter';
import type { Clock } from '../clock';
import type { Database } from '../store/database';
import type { User } from './users';
import { UserStore } from './users';
import { WebSessions } from './web-sessions';

/** Failed sign-ins one address, or one account, may make in the window before it must wait. */
export const SIGN_IN_ATTEMPTS = 10;
/** The window they are counted over, and how long a blocked address or account waits. */
export const SIGN_IN_COOLDOWN_MS = 15 * 60_000;

export type SignInResult =
  | { readonly ok: true; readonly user: User; readonly token: string }
  | { readonly ok: false; readonly why: 'wrong' | 'blocked' };

/**
 * Technicians signing in to the relay. Failed attempts are limited per address and per
 * account (a guesser spread over many addresses still locks only the account it guesses,
 * for a while), and each sign-in, refusal and block is an audit event with the address.
 * Passwords and tokens are never logged nor stored in clear.
 */
export class AccountService {
  readonly users: UserStore;
  readonly sessions: WebSessions;
  private readonly byAddress = new AttemptLimiter({ perAddress: SIGN_IN_ATTEMPTS, global: 1000, globalWindowMs: 60_000, cooldownMs: SIGN_IN_COOLDOWN_MS, maxTrackedAddresses: 100_000 });
  private readonly byAccount = new AttemptLimiter({ perAddress: SIGN_IN_ATTEMPTS, global: 1000, globalWindowMs: 60_000, cooldownMs: SIGN_IN_COOLDOWN_MS, maxTrackedAddresses: 100_000 });

  constructor(readonly db: Database, private readonly clock: Clock, private readonly logger: Logger) {
    this.users = new UserStore(db);
    this.sessions = new WebSessions(db, () => clock.now());
  }

  /** Whether any account exists: without one the relay works as it always did, anonymous technicians welcome. */
  async hasAccounts(): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM users LIMIT 1');
    return rows.length > 0;
  }

  async signIn(username: string, password: string, address: string): Promise<SignInResult> {
    const now = this.clock.now();
    const account = username.toLowerCase().slice(0, 64);
    if (this.byAddress.isBlocked(address, now) || this.byAccount.isBlocked(account, now)) {
      await this.audit('sign-in-blocked', address, undefined, { username: account });
      this.logger.warn({ address, username: account }, 'sign-in refused: too many failures');
      return { ok: false, why: 'blocked' };
    }
    const user = await this.users.check(account, password);
    if (user === undefined) {
      this.byAddress.recordGuess(address, now);
      this.byAccount.recordGuess(account, now);
      await this.audit('sign-in-failed', address, undefined, { username: account });
      this.logger.info({ address, username: account }, 'sign-in failed');
      return { ok: false, why: 'wrong' };
    }
    const token = await this.sessions.create(user.id);
    await this.audit('sign-in', address, user.id, {});
    this.logger.info({ address, username: user.username }, 'signed in');
    return { ok: true, user, token };
  }

  async signOut(token: string, address: string): Promise<void> {
    const user = await this.sessions.user(token);
    await this.sessions.end(token);
    if (user !== undefined) await this.audit('sign-out', address, user.id, {});
  }

  async signOutEverywhere(user: User, address: string): Promise<void> {
    await this.sessions.endAll(user.id);
    await this.audit('sign-out-everywhere', address, user.id, {});
  }

  /** One audit event (never a code, a token or a password: callers pass names and ids only). */
  async audit(kind: string, address: string | undefined, userId: number | undefined, detail: Record<string, string | number | boolean>): Promise<void> {
    await this.db.query('INSERT INTO audit_events (kind, address, user_id, detail) VALUES ($1, $2, $3, $4)', [kind, address ?? null, userId ?? null, JSON.stringify(detail)]);
  }
}
