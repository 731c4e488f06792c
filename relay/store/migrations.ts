import type { Database } from './database';

/**
 * The schema, one step per version, applied in order and recorded in schema_migrations.
 * A step is never edited once released: a change is a new step. Plain SQL that PostgreSQL
 * and PGlite both take.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = Object.freeze([
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id BIGSERIAL PRIMARY KEY,
        username TEXT NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{1,64}$'),
        display_name TEXT NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
        role TEXT NOT NULL CHECK (role IN ('technician', 'admin')),
        password_hash TEXT NOT NULL,
        -- Sessions signed in before this are no longer valid: "sign out everywhere", a new password.
        sessions_valid_after TIMESTAMPTZ NOT NULL DEFAULT now(),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE web_sessions (
        token_hash BYTEA PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        expires_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
      CREATE TABLE session_records (
        id BIGSERIAL PRIMARY KEY,
        relay_session_id TEXT NOT NULL,
        -- When the customer's app registered (asked for a code), when a technician was let
        -- in (NULL: never: refused, abandoned or expired), and when it ended.
        started_at TIMESTAMPTZ NOT NULL,
        paired_at TIMESTAMPTZ,
        ended_at TIMESTAMPTZ NOT NULL,
        -- Paired to ended; 0 for a session that never paired.
        duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0),
        technician_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        technician_name TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        view_only BOOLEAN NOT NULL,
        bytes_to_technician BIGINT NOT NULL,
        bytes_to_customer BIGINT NOT NULL,
        end_reason TEXT NOT NULL,
        sealed BOOLEAN NOT NULL,
        legacy BOOLEAN NOT NULL
      );
      CREATE INDEX session_records_started ON session_records (started_at);
      CREATE TABLE audit_events (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL DEFAULT now(),
        kind TEXT NOT NULL,
        address TEXT,
        user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
        detail JSONB NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_events_at ON audit_events (at);
    `,
  },
]);

/** Any number: what matters is that every node takes the same lock. */
const MIGRATION_LOCK = 7_161_982;

/**
 * Brings the schema up to the last version, in one transaction under an advisory lock, so
 * that several relay nodes starting together against one server apply each step once.
 * Returns the versions it applied.
 */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const step of MIGRATIONS) {
      if (done.has(step.version)) continue;
      await tx.exec(step.sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [step.version]);
      applied.push(step.version);
    }
    return applied;
  });
}
