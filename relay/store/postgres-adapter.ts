import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database';

/** How long to wait for a connection from the pool before failing the query, ms. */
const CONNECT_TIMEOUT_MS = 5000;

/** A PostgreSQL server through a pool of `pg` connections (several relay nodes may share it). */
export async function openPostgres(url: string, maxConnections: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection the server drops must not end the relay: the next query gets a new one.
  pool.on('error', () => undefined);
  // Fail now, with the server's own words, rather than at the first session.
  await pool.query('SELECT 1');
  const on = (q: Pick<pg.Pool | pg.PoolClient, 'query'>): Queryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> => {
      const result = await q.query(sql, [...params]);
      return { rows: result.rows as Row[] };
    },
    // Without parameters pg uses the simple query protocol, which takes several statements.
    exec: async (sql) => {
      await q.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await work(on(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
