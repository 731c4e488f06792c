/**
 * The relay's entry point: the only place that reads the environment and the command
 * line and builds the root logger.
 */
import pino from 'pino';
import { parseRelayCommandLine, relayUsage } from './cli-options';
import { RelayOptionsError, resolveRelayOptions } from './options';
import { AccountService } from './accounts/sign-in';
import { DatabaseLedger } from './stats/session-ledger';
import { SYSTEM_CLOCK } from './clock';
import { createRelay } from './server';
import { openDatabase, type Database } from './store/database';
import { migrate } from './store/migrations';
import { randomBytes } from 'node:crypto';
import { ClusterConfigError, type ClusterConfig } from './cluster/cluster-config';

/**
 * Several nodes (README "Several relay nodes"): REDIS_URL turns it on. The URL and the
 * secret come from the environment only, never from flags that a process list shows.
 */
function clusterFromEnvironment(env: NodeJS.ProcessEnv): ClusterConfig | undefined {
  const redisUrl = env.REDIS_URL;
  if (redisUrl === undefined || redisUrl === '') return undefined;
  const internalUrl = env.NODE_INTERNAL_URL;
  const secret = env.CLUSTER_SECRET;
  if (internalUrl === undefined || internalUrl === '') throw new ClusterConfigError('REDIS_URL is set: NODE_INTERNAL_URL (where the other nodes reach this one) is needed too');
  if (secret === undefined || secret === '') throw new ClusterConfigError('REDIS_URL is set: CLUSTER_SECRET (shared by the nodes only) is needed too');
  const heartbeat = env.NODE_HEARTBEAT_MS;
  return {
    redisUrl, internalUrl, secret,
    nodeId: env.NODE_ID !== undefined && env.NODE_ID !== '' ? env.NODE_ID : `node-${randomBytes(4).toString('hex')}`,
    heartbeatMs: heartbeat !== undefined && heartbeat !== '' ? Number(heartbeat) : 1000,
  };
}

/** How often records past the retention are deleted. */
const PRUNE_INTERVAL_MS = 3600 * 1000;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseRelayCommandLine(process.env, process.argv.slice(2));
  } catch (e) {
    if (e instanceof RelayOptionsError) {
      process.stderr.write(`relay: ${e.message}\n\n${relayUsage()}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(`${relayUsage()}\n`);
    return;
  }
  // JSON lines in production; readable colours when a person watches a terminal.
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  const logger = pino({
    level: parsed.logLevel,
    base: { service: 'relay' },
    redact: { paths: ['code', 'token', '*.code', '*.token', 'sessionSecret'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
  // The database (technician accounts): a PostgreSQL server (DATABASE_URL, kept out of the
  // flags so its password never shows in a process list) or PGlite in the data directory.
  // A relay whose database cannot open still relays, without accounts, and says so.
  let db: Database | undefined;
  let accounts: AccountService | undefined;
  let ledger: DatabaseLedger | undefined;
  if (!parsed.options.noDatabase) {
    const url = process.env.DATABASE_URL;
    try {
      db = await openDatabase({ ...(url ? { url } : {}), dataDir: parsed.options.dataDir });
      await migrate(db);
      accounts = new AccountService(db, SYSTEM_CLOCK, logger);
      ledger = new DatabaseLedger(db, logger);
      logger.info({ database: db.kind, ...(db.kind === 'pglite' ? { dataDir: parsed.options.dataDir } : {}) }, 'database ready');
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'the database could not open: running without technician accounts');
      await db?.close().catch(() => undefined);
      db = undefined;
    }
  }
  let relay;
  try {
    const cluster = clusterFromEnvironment(process.env);
    relay = await createRelay({ options: parsed.options, logger, ...(accounts ? { accounts } : {}), ...(ledger ? { ledger } : {}), ...(cluster ? { cluster } : {}) });
  } catch (e) {
    if (e instanceof RelayOptionsError || e instanceof ClusterConfigError) {
      process.stderr.write(`relay: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  logger.info({ url: relay.url, ws: relay.wsUrl }, 'CompuEasys relay ready');
  if (ledger !== undefined) {
    const keep = ledger;
    const { retentionDays } = resolveRelayOptions(parsed.options);
    const prune = (): void => {
      keep.prune(retentionDays).then((n) => {
        if (n > 0) logger.info({ rows: n, retentionDays }, 'old session records and audit events deleted');
      }, (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'pruning old records failed'));
    };
    prune();
    setInterval(prune, PRUNE_INTERVAL_MS).unref();
  }
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    // The sessions the shutdown ended are written before the database closes.
    relay.close().then(() => ledger?.flushed()).then(() => db?.close()).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
