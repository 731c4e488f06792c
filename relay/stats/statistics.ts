import type { Database } from '../store/database';

/** What the statistics page asks for: a range of days (UTC, `to` included) and maybe one technician. */
export interface StatsQuery {
  readonly from: string;
  readonly to: string;
  readonly technician?: string;
}

export interface DayStats {
  readonly day: string;
  /** Sessions started that day (helped or not). */
  readonly sessions: number;
  /** …of which a technician was let in. */
  readonly helped: number;
  readonly medianMs: number | null;
  readonly longestMs: number | null;
}

export interface TechnicianStats {
  /** The account's name, or the name a technician in clear gave; '' for anonymous sealed sessions. */
  readonly technician: string;
  readonly sessions: number;
  readonly medianMs: number | null;
  readonly longestMs: number | null;
}

export interface Stats {
  /** The whole range: sessions started, helped, and the median and longest helped session. */
  readonly overall: Omit<DayStats, 'day'>;
  readonly perDay: DayStats[];
  readonly perTechnician: TechnicianStats[];
  /** Sessions that ended without a technician ever being let in. */
  readonly abandoned: number;
  /** Technicians the customer declined (or did not answer). */
  readonly refused: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range one request may cover: two years of days. */
const MAX_DAYS = 731;

/** A query's range as UTC instants [from, to + 1 day), or an error in words. */
export function rangeOf(query: StatsQuery): { from: Date; until: Date } | string {
  if (!DAY.test(query.from) || !DAY.test(query.to)) return 'from and to are days: YYYY-MM-DD';
  const from = new Date(`${query.from}T00:00:00Z`);
  const until = new Date(`${query.to}T00:00:00Z`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) return 'from and to are days: YYYY-MM-DD';
  until.setUTCDate(until.getUTCDate() + 1);
  const days = (until.getTime() - from.getTime()) / 86_400_000;
  if (days < 1 || days > MAX_DAYS) return `from … to covers 1 to ${MAX_DAYS} days`;
  return { from, until };
}

/** The technician a session is counted under: its account's name, else the name given. */
const TECHNICIAN = "COALESCE(u.display_name, r.technician_name)";
const FROM_RECORDS = 'FROM session_records r LEFT JOIN users u ON u.id = r.technician_user_id WHERE r.started_at >= $1 AND r.started_at < $2';

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}
function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Math.round(Number(v));
}

/** Usage statistics over the session records (the same SQL on PGlite and PostgreSQL). */
export async function statistics(db: Database, range: { from: Date; until: Date }, technician?: string): Promise<Stats> {
  const params: unknown[] = [range.from, range.until];
  const byTechnician = technician === undefined ? '' : ` AND ${TECHNICIAN} = $3`;
  if (technician !== undefined) params.push(technician);
  const perDay = await db.query<Record<string, unknown>>(
    `SELECT to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS sessions, count(r.paired_at) AS helped,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms) FILTER (WHERE r.paired_at IS NOT NULL) AS median_ms,
       max(r.duration_ms) FILTER (WHERE r.paired_at IS NOT NULL) AS longest_ms
     ${FROM_RECORDS}${byTechnician} GROUP BY 1 ORDER BY 1`, params);
  const perTechnician = await db.query<Record<string, unknown>>(
    `SELECT ${TECHNICIAN} AS technician, count(*) AS sessions,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms) AS median_ms, max(r.duration_ms) AS longest_ms
     ${FROM_RECORDS} AND r.paired_at IS NOT NULL${byTechnician} GROUP BY 1 ORDER BY 2 DESC, 1`, params);
  const overall = await db.query<Record<string, unknown>>(
    `SELECT count(*) AS sessions, count(r.paired_at) AS helped,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms) FILTER (WHERE r.paired_at IS NOT NULL) AS median_ms,
       max(r.duration_ms) FILTER (WHERE r.paired_at IS NOT NULL) AS longest_ms
     ${FROM_RECORDS}${byTechnician}`, params);
  const o = overall.rows[0] ?? {};
  const abandoned = await db.query<{ n: unknown }>(`SELECT count(*) AS n ${FROM_RECORDS} AND r.paired_at IS NULL${byTechnician}`, params);
  const refused = await db.query<{ n: unknown }>(
    "SELECT count(*) AS n FROM audit_events WHERE at >= $1 AND at < $2 AND kind = 'refused' AND detail->>'why' IN ('RS_ERR_CONSENT_DENIED', 'RS_ERR_CONSENT_TIMEOUT')",
    [range.from, range.until],
  );
  return {
    overall: { sessions: num(o.sessions), helped: num(o.helped), medianMs: numOrNull(o.median_ms), longestMs: numOrNull(o.longest_ms) },
    perDay: perDay.rows.map((r) => ({ day: String(r.day), sessions: num(r.sessions), helped: num(r.helped), medianMs: numOrNull(r.median_ms), longestMs: numOrNull(r.longest_ms) })),
    perTechnician: perTechnician.rows.map((r) => ({ technician: String(r.technician ?? ''), sessions: num(r.sessions), medianMs: numOrNull(r.median_ms), longestMs: numOrNull(r.longest_ms) })),
    abandoned: num(abandoned.rows[0]?.n),
    refused: num(refused.rows[0]?.n),
  };
}

/** Most sessions one CSV holds (it is built in memory): a longer range is asked for in parts. */
export const MAX_CSV_ROWS = 100_000;

const CSV_COLUMNS = ['started_at', 'paired_at', 'ended_at', 'duration_s', 'technician', 'customer', 'view_only', 'bytes_to_technician',
  'bytes_to_customer', 'end_reason', 'sealed', 'legacy'] as const;

/**
 * One CSV cell: quoted when it holds a comma, quote or line break, and a text a
 * spreadsheet would run as a formula (= + - @ at the start) is made plain text with a
 * leading apostrophe: a customer's computer name must not become a formula on an admin's screen.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The session records of the range as CSV (RFC 4180, CRLF), one line per session, oldest first, at most MAX_CSV_ROWS. */
export async function statisticsCsv(db: Database, range: { from: Date; until: Date }, technician?: string): Promise<string> {
  const params: unknown[] = [range.from, range.until];
  const byTechnician = technician === undefined ? '' : ` AND ${TECHNICIAN} = $3`;
  if (technician !== undefined) params.push(technician);
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT r.started_at, r.paired_at, r.ended_at, round(r.duration_ms / 1000.0, 1) AS duration_s, ${TECHNICIAN} AS technician,
       r.customer_name AS customer, r.view_only, r.bytes_to_technician, r.bytes_to_customer, r.end_reason, r.sealed, r.legacy
     ${FROM_RECORDS}${byTechnician} ORDER BY r.started_at, r.id LIMIT ${MAX_CSV_ROWS}`, params);
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c] instanceof Date ? r[c] : r[c] === null ? null : typeof r[c] === 'boolean' ? String(r[c]) : r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
