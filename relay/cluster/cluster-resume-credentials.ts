import type { Logger } from 'pino';
import { credentialKey, InMemoryResumeCredentials, type ResumeCredentials, type ResumeGrant, type ResumeLookup } from '../resume-credentials';
import type { SessionRegistry } from '../session-registry';
import { ClusterStore, type SessionMeta } from './cluster-store';

/**
 * Resume credentials of a cluster node. The node that holds a session takes its
 * credentials from memory as a single relay does; every credential is also written to
 * Redis (its SHA-256 only, naming the session by reference), with what another node needs
 * to take the session over if this node dies (`SessionMeta`). A credential of a session
 * this node took over is handed in by the router (`accept`) after it read Redis, so the
 * hub's `take` stays synchronous.
 */
export class ClusterResumeCredentials implements ResumeCredentials {
  private readonly local: InMemoryResumeCredentials;
  /** Credentials read from Redis for a session this node holds now: key → grant, taken once. */
  private readonly accepted = new Map<string, ResumeGrant>();
  /** The store's reference of a session taken over from a dead node (its own id is new here). */
  private readonly refs = new Map<string, string>();
  /** Sessions whose record is in Redis already. */
  private readonly stored = new Set<string>();

  constructor(
    private readonly store: ClusterStore,
    private readonly registry: SessionRegistry,
    private readonly sessionTtlMs: number,
    maxEnded: number,
    private readonly logger: Logger,
  ) {
    this.local = new InMemoryResumeCredentials(maxEnded);
  }

  /** The store's reference of a local session. */
  refOf(sessionId: string): string {
    return this.refs.get(sessionId) ?? ClusterStore.refOf(sessionId);
  }

  /** A session taken over from a dead node keeps its reference in the store. */
  adopted(sessionId: string, ref: string): void {
    this.refs.set(sessionId, ref);
    this.stored.add(sessionId);
  }

  /** A credential the router found in Redis for a session this node now holds: the next `take` of it succeeds once. */
  accept(token: string, grant: ResumeGrant): void {
    this.accepted.set(credentialKey(token), grant);
    // Bounded: a flood of lookups cannot grow it (two sides per session at most are waited for).
    while (this.accepted.size > 1024) this.accepted.delete(this.accepted.keys().next().value as string);
  }

  get size(): number {
    return this.local.size;
  }

  issue(grant: ResumeGrant, now: number): string {
    const token = this.local.issue(grant, now);
    const ref = this.refOf(grant.sessionId);
    if (!this.stored.has(grant.sessionId)) {
      const meta = this.metaOf(grant.sessionId);
      if (meta !== undefined) {
        this.stored.add(grant.sessionId);
        this.swallow(this.store.putSession(ref, meta, this.sessionTtlMs));
      }
    }
    // Sent on the same connection after putSession: Redis runs them in that order.
    this.swallow(this.store.issueCredential(ref, grant.role, credentialKey(token), this.sessionTtlMs));
    return token;
  }

  take(token: string, now: number): ResumeLookup {
    const key = credentialKey(token);
    const found = this.local.take(token, now);
    const grant = found ?? this.accepted.get(key);
    this.accepted.delete(key);
    if (grant !== undefined && grant !== 'ended') this.swallow(this.store.spendCredential(key));
    return grant;
  }

  revoke(sessionId: string, now: number, keepMs: number): void {
    this.local.revoke(sessionId, now, keepMs);
    if (this.stored.delete(sessionId)) this.swallow(this.store.revokeSession(this.refOf(sessionId), keepMs));
    this.refs.delete(sessionId);
  }

  private metaOf(sessionId: string): SessionMeta | undefined {
    const session = this.registry.byId(sessionId);
    if (session === undefined || session.pairedAt === undefined) return undefined;
    return {
      logId: session.logId, viewOnly: session.viewOnly, createdAt: session.createdAt, pairedAt: session.pairedAt,
      clientAddressKey: session.clientAddressKey, clientName: session.client.name, technicianName: session.technician?.name ?? '',
    };
  }

  private swallow(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'redis did not take a resume record; this node still resumes its own sessions'));
  }
}
