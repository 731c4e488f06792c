import { createHash, randomBytes } from 'node:crypto';
import { encodeBase64Url, RESUME_TOKEN_BYTES, type Role } from '../protocol';

/** Which side of which session a resume credential gives back. */
export interface ResumeGrant {
  /** The session's registry id (`Session.id`). */
  readonly sessionId: string;
  readonly role: Role;
}

/** What taking a credential found: the grant, a credential of a session that ended, or nothing. */
export type ResumeLookup = ResumeGrant | 'ended' | undefined;

/**
 * Where resume credentials live (PROTOCOL.md §14). In memory now; a shared store (Redis,
 * issue 14 item 2) can implement the same interface so a peer resumes on another relay
 * machine. The store holds only a hash of each credential: reading the store (or its
 * backups) does not let anyone resume. Every operation is a single step a store can make
 * atomic: `take` is look up and delete at once, so a credential works once.
 */
export interface ResumeCredentials {
  /** A fresh credential for one side of a session; that side's previous one stops working. */
  issue(grant: ResumeGrant, now: number): string;
  /** Single use: the grant of `token` (and the token stops working), or why not. */
  take(token: string, now: number): ResumeLookup;
  /**
   * The session ended: its credentials stop working. They are remembered for `keepMs` as
   * belonging to an ended session, so a side that comes back late learns the session ended
   * rather than that its credential is wrong.
   */
  revoke(sessionId: string, now: number, keepMs: number): void;
  /** Live credentials (at most two per session). */
  readonly size: number;
}

/** A credential's name in the store: its SHA-256, so the store never holds a usable credential. */
export function credentialKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function sideKey({ sessionId, role }: ResumeGrant): string {
  return `${role}:${sessionId}`;
}

export class InMemoryResumeCredentials implements ResumeCredentials {
  private readonly grants = new Map<string, ResumeGrant>();
  /** Each side's live credential (its key), so a new one replaces it. */
  private readonly bySide = new Map<string, string>();
  /** Keys of ended sessions' credentials and until when they are remembered, oldest first. */
  private readonly ended = new Map<string, number>();

  /** `maxEnded`: most credentials of ended sessions remembered (the oldest go first). */
  constructor(private readonly maxEnded: number) {}

  get size(): number {
    return this.grants.size;
  }

  issue(grant: ResumeGrant, _now: number): string {
    const token = encodeBase64Url(new Uint8Array(randomBytes(RESUME_TOKEN_BYTES)));
    const key = credentialKey(token);
    const previous = this.bySide.get(sideKey(grant));
    if (previous !== undefined) this.grants.delete(previous);
    this.grants.set(key, Object.freeze({ ...grant }));
    this.bySide.set(sideKey(grant), key);
    return token;
  }

  take(token: string, now: number): ResumeLookup {
    const key = credentialKey(token);
    const grant = this.grants.get(key);
    if (grant !== undefined) {
      this.grants.delete(key);
      if (this.bySide.get(sideKey(grant)) === key) this.bySide.delete(sideKey(grant));
      return grant;
    }
    const until = this.ended.get(key);
    if (until === undefined) return undefined;
    this.ended.delete(key); // told once is enough
    return until > now ? 'ended' : undefined;
  }

  revoke(sessionId: string, now: number, keepMs: number): void {
    for (const role of ['client', 'technician'] as const) {
      const side = sideKey({ sessionId, role });
      const key = this.bySide.get(side);
      if (key === undefined) continue;
      this.bySide.delete(side);
      this.grants.delete(key);
      if (keepMs > 0) this.remember(key, now + keepMs);
    }
  }

  private remember(key: string, until: number): void {
    this.ended.set(key, until);
    // Bounded: the oldest go first (a Map keeps insertion order).
    for (const oldest of this.ended.keys()) {
      if (this.ended.size <= this.maxEnded) break;
      this.ended.delete(oldest);
    }
  }
}
