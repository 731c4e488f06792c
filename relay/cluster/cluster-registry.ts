import type { Logger } from 'pino';
import type { Session } from '../session';
import { InMemorySessionRegistry, type SessionRegistry } from '../session-registry';
import type { ClusterStore } from './cluster-store';

/**
 * A node's sessions stay in its memory (they are live sockets); what other nodes need is
 * the directory: which node holds a code. Every code bound here is claimed in Redis (SET
 * NX, with the code's lifetime as TTL) and released when spent, replaced or ended. The hub
 * binds synchronously; the claim is confirmed before the code is shown (`claimed`), so a
 * technician never types a code the directory does not know yet.
 */
export class ClusterSessionRegistry implements SessionRegistry {
  private readonly local = new InMemorySessionRegistry();
  /** Claims in flight, by code. */
  private readonly claims = new Map<string, Promise<boolean>>();

  constructor(private readonly store: ClusterStore, private readonly codeTtlMs: number, private readonly logger: Logger) {}

  add(session: Session): void {
    this.local.add(session);
  }

  remove(session: Session): void {
    if (session.code !== undefined && this.local.hasCode(session.code)) this.release(session.code);
    this.local.remove(session);
  }

  byId(id: string): Session | undefined {
    return this.local.byId(id);
  }

  bindCode(code: string, session: Session): boolean {
    if (!this.local.bindCode(code, session)) return false;
    const claim = this.store.claimCode(code, this.codeTtlMs).catch((err: unknown) => {
      // Redis away: the code works on this node (a technician reaching this node finds it).
      this.logger.warn({ err: (err as Error).message }, 'a code could not be claimed in redis; it works on this node only');
      return true;
    });
    this.claims.set(code, claim);
    void claim.finally(() => {
      if (this.claims.get(code) === claim) this.claims.delete(code);
    });
    return true;
  }

  /** Whether the cluster let this node have `code` (false: another node claimed it first). */
  claimed(code: string): Promise<boolean> {
    return this.claims.get(code) ?? Promise.resolve(true);
  }

  takeCode(code: string): Session | undefined {
    const session = this.local.takeCode(code);
    if (session !== undefined) this.release(code);
    return session;
  }

  releaseCode(code: string): void {
    if (this.local.hasCode(code)) this.release(code);
    this.local.releaseCode(code);
  }

  hasCode(code: string): boolean {
    return this.local.hasCode(code);
  }

  get size(): number {
    return this.local.size;
  }

  get codeCount(): number {
    return this.local.codeCount;
  }

  values(): IterableIterator<Session> {
    return this.local.values();
  }

  private release(code: string): void {
    // After the claim: a release must not overtake it and leave the code claimed.
    void (this.claims.get(code) ?? Promise.resolve(true)).then(() => this.store.releaseCode(code)).catch(() => {
      // Redis away: the claim lapses with its TTL.
    });
  }
}
