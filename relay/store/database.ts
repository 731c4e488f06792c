/**
 * The relay's database: PostgreSQL, or PGlite (PostgreSQL compiled to WebAssembly, in a
 * data directory: nothing to install) when no server is named. Both speak the same SQL,
 * so every query and migration is written once.
 */

/** What a query returns: its rows, typed by the caller. */
export interface QueryResult<Row> {
  readonly rows: Row[];
}

/** Something that runs SQL with `$1`-style parameters: the database, or one transaction of it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs several statements at once, without parameters (a migration step). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** `pglite` (embedded) or `postgres` (a server, DATABASE_URL). */
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseConfig {
  /** `postgres://…` of a PostgreSQL server; absent, PGlite in `dataDir`. */
  readonly url?: string;
  /** Where PGlite keeps its files (created if missing). */
  readonly dataDir?: string;
  /** Most connections to a server (default 10). */
  readonly maxConnections?: number;
}

/** Opens the database the configuration names (the adapters load their package only when used). */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url !== undefined && config.url !== '') {
    const { openPostgres } = await import('./postgres-adapter');
    return openPostgres(config.url, config.maxConnections ?? 10);
  }
  if (config.dataDir === undefined) throw new Error('database: neither a server address nor a data directory');
  const { openPglite } = await import('./pglite-adapter');
  return openPglite(config.dataDir);
}
