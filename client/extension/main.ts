/**
 * The agent as a Neutralino extension: the runtime starts it (see neutralino.config.json)
 * and writes `{"nlPort", "nlToken", "nlConnectToken", "nlExtensionId"}` on its standard
 * input. It connects back to the runtime's WebSocket, exchanges events with the window's
 * page, and exits when that socket closes (the runtime does not stop extensions itself).
 * The only place that reads the environment and the command line; logs go to stderr.
 */
import { hostname } from 'node:os';
import pino from 'pino';
import { homedir } from 'node:os';
import { defaultDownloadsFolder } from '../files/downloads-folder';
import { AGENT_USAGE, parseAgentArgs } from '../agent-options';
import { optionsOrExit } from '../options-or-exit';
import { readHandshake, runExtension } from '../window/neutralino-extension';
import { createRealAgent } from '../window/real-agent';
import { createWindowAttention } from '../window/attention/create-window-attention';
import { WindowBridge } from '../window/window-bridge';
import { warnIfInsecureRelay } from '../insecure-relay-warning';

async function main(): Promise<void> {
  const options = optionsOrExit('extension', AGENT_USAGE, () => parseAgentArgs(process.argv.slice(2), process.env, hostname()), (o) => o.help);
  if (options === undefined) return;
  warnIfInsecureRelay(options.relayUrl, process.stderr);
  const logger = pino({ level: options.logLevel, base: { service: 'agent-extension' } }, pino.destination(2));
  const handshake = await readHandshake(process.stdin);
  const bridge = new WindowBridge({
    logger,
    createAgent: (hooks) => createRealAgent({ options, x11Display: process.env.DISPLAY, platform: process.platform, logger }, hooks),
    // The urgency hint / taskbar flash when a technician asks: found by the window's title.
    attention: createWindowAttention({ platform: process.platform, x11Display: process.env.DISPLAY, logger }),
    ...(options.accept !== undefined ? { autoAnswer: options.accept } : {}),
    files: {
      downloadsFolder: options.downloads ?? await defaultDownloadsFolder(homedir(), process.platform, process.env.XDG_CONFIG_HOME),
      maxFileBytes: options.maxFileBytes,
    },
  });
  const { client, done } = await runExtension(handshake, bridge, { logger });
  logger.info({ extensionId: handshake.nlExtensionId }, 'connected to the Neutralino runtime');
  process.once('SIGINT', () => client.close());
  process.once('SIGTERM', () => client.close());
  // Sharing never outlives the window: when the runtime's socket closes, sharing stops
  // (the technician is told) and the extension exits.
  const { code } = await done;
  logger.info({ code }, 'the runtime closed the connection; stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`extension: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
