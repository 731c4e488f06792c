/**
 * The relay's entry point: the only place that reads the environment and the command
 * line and builds the root logger.
 */
import pino from 'pino';
import { parseRelayCommandLine, relayUsage } from './cli-options';
import { RelayOptionsError } from './options';
import { createRelay } from './server';

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
  let relay;
  try {
    relay = await createRelay({ options: parsed.options, logger });
  } catch (e) {
    if (e instanceof RelayOptionsError) {
      process.stderr.write(`relay: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  logger.info({ url: relay.url, ws: relay.wsUrl }, 'CompuEasys relay ready');
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    relay.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
