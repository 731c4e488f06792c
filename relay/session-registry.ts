import type { Session } from './session';

/**
 * Where sessions live and how codes map to them. The in-memory map is the default; a
 * shared store (Redis) can implement the same interface when several relay machines
 * serve one address. Code operations are the ones that must be atomic in such a store.
 */
export interface SessionRegistry {
  add(session: Session): void;
  remove(session: Session): void;
  byId(id: string): Session | undefined;
  /** Binds `code` to `session` if no live session holds it; false when taken. */
  bindCode(code: string, session: Session): boolean;
  /** Looks a code up and unbinds it in one step (single use). */
  takeCode(code: string): Session | undefined;
  /** Unbinds a code without using it (expired, replaced, session ended). */
  releaseCode(code: string): void;
  readonly size: number;
  readonly codeCount: number;
  values(): IterableIterator<Session>;
}

export class InMemorySessionRegistry implements SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly codes = new Map<string, Session>();

  add(session: Session): void {
    this.sessions.set(session.id, session);
  }

  remove(session: Session): void {
    this.sessions.delete(session.id);
    if (session.code !== undefined && this.codes.get(session.code) === session) this.codes.delete(session.code);
  }

  byId(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  bindCode(code: string, session: Session): boolean {
    if (this.codes.has(code)) return false;
    this.codes.set(code, session);
    return true;
  }

  takeCode(code: string): Session | undefined {
    const session = this.codes.get(code);
    if (session !== undefined) this.codes.delete(code);
    return session;
  }

  releaseCode(code: string): void {
    this.codes.delete(code);
  }

  /** Whether a code is bound here, without using it (a cluster node asks before looking elsewhere). */
  hasCode(code: string): boolean {
    return this.codes.has(code);
  }

  get size(): number {
    return this.sessions.size;
  }

  get codeCount(): number {
    return this.codes.size;
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }
}
