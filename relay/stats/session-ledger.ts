import type { Logger } from 'pino';
import type { Database } from '../store/database';

/**
 * What the relay keeps of one session once it ended, for usage statistics and the audit
 * trail: who helped whom, when, for how long, how, and how it ended. Never a code, a
 * token or anything of the screen.
 */
export interface SessionRecord {
  /** The relay's id for its logs (not the legacy API's bearer id). */
  readonly relaySessionId: string;
  readonly startedAt: Date;
  /** Undefined when no technician was let in (refused, abandoned, the code expired). */
  readonly pairedAt: Date | undefined;
  readonly endedAt: Date;
  /** The signed-in technician's account, when there was one. */
  readonly technicianUserId: number | undefined;
  /** The name the technician gave, or its account's; empty when none joined. */
  readonly technicianName: string;
  readonly customerName: string;
  readonly viewOnly: boolean;
  readonly bytesToTechnician: number;
  readonly bytesToCustomer: number;
  /** Why it ended: `bye`, `closed`, an error code (`RS_ERR_…`), `code-expired` … */
  readonly endReason: string;
  readonly sealed: boolean;
  /** A side spoke the legacy polling API. */
  readonly legacy: boolean;
}

/** Where the hub tells that a session ended, and what it refused or blocked (the audit trail). */
export interface SessionLedger {
  sessionEnded(record: SessionRecord): void;
  /** `refused` (a wrong code, a full relay …) or `blocked` (too many attempts), with the address key. */
  auditEvent(kind: 'refused' | 'blocked', address: string, detail: { readonly why: string; readonly what: string }): void;
}

/** Writes that may wait for a slow database before new ones are dropped (and counted). */
export const MAX_PENDING_RECORDS = 10_000;

/**
 * Session records and audit events into the database, one INSERT each, in order, off the
 * hub's path: the hub never waits for the database, and a database that stops answering
 * costs at most MAX_PENDING_RECORDS writes in memory (further ones are dropped and logged).
 */
export class DatabaseLedger implements SessionLedger {
  private pending = 0;
  private dropped = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database, private readonly logger: Logger) {}

  sessionEnded(record: SessionRecord): void {
    this.enqueue(() => this.write(record));
  }

  auditEvent(kind: 'refused' | 'blocked', address: string, detail: { readonly why: string; readonly what: string }): void {
    this.enqueue(async () => {
      await this.db.query('INSERT INTO audit_events (kind, address, detail) VALUES ($1, $2, $3)', [kind, address, JSON.stringify(detail)]);
    });
  }

  private enqueue(write: () => Promise<void>): void {
    if (this.pending >= MAX_PENDING_RECORDS) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.error({ dropped: this.dropped }, 'the database is not keeping up: session records and audit events dropped');
      return;
    }
    this.pending++;
    this.chain = this.chain.then(write).catch((err: unknown) => {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'a session record could not be written');
    }).finally(() => {
      this.pending--;
    });
  }

  /**
   * Deletes session records and audit events older than `days` (the retention), and web
   * sessions long expired. Returns how many rows went.
   */
  async prune(days: number): Promise<number> {
    const cutoff = new Date(Date.now() - days * 24 * 3600 * 1000);
    const records = await this.db.query('DELETE FROM session_records WHERE ended_at < $1 RETURNING id', [cutoff]);
    const events = await this.db.query('DELETE FROM audit_events WHERE at < $1 RETURNING id', [cutoff]);
    await this.db.query('DELETE FROM web_sessions WHERE expires_at < $1', [new Date()]);
    return records.rows.length + events.rows.length;
  }

  /** Resolves once every record handed over so far is written (or failed). */
  flushed(): Promise<void> {
    return this.chain;
  }

  private async write(r: SessionRecord): Promise<void> {
    const durationMs = r.pairedAt === undefined ? 0 : Math.max(0, r.endedAt.getTime() - r.pairedAt.getTime());
    await this.db.query(
      `INSERT INTO session_records (relay_session_id, started_at, paired_at, ended_at, duration_ms, technician_user_id, technician_name,
         customer_name, view_only, bytes_to_technician, bytes_to_customer, end_reason, sealed, legacy)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [r.relaySessionId, r.startedAt, r.pairedAt ?? null, r.endedAt, durationMs, r.technicianUserId ?? null, r.technicianName,
        r.customerName, r.viewOnly, r.bytesToTechnician, r.bytesToCustomer, r.endReason, r.sealed, r.legacy],
    );
  }
}
