/**
 * The agent as a Neutralino extension: the runtime starts it (see neutralino.config.json)
 * and writes `{"nlPort", "nlToken", "nlConnectToken", "nlExtensionId"}` on its standard
 * input. It connects back to the runtime's WebSocket, exchanges events with the window's
 * page, and exits when that socket closes (the runtime does not stop extensions itself).
 * The only place that reads the environment and the command line; logs go to stderr.
 */
import { hostname } from 'node:os';
import pino from 'pino';
import { AGENT_USAGE, AgentOptionsError, parseAgentArgs, type AgentOptions } from '../agent-options';
import { readHandshake, runExtension } from '../window/neutralino-extension';
import { createRealAgent } from '../window/real-agent';
import { WindowBridge } from '../window/window-bridge';

async function main(): Promise<void> {
  let options: AgentOptions;
  try {
    options = parseAgentArgs(process.argv.slice(2), process.env, hostname());
  } catch (e) {
    if (e instanceof AgentOptionsError) {
      process.stderr.write(`extension: ${e.message}\n\n${AGENT_USAGE}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (options.help) {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return;
  }
  const logger = pino({ level: options.logLevel, base: { service: 'agent-extension' } }, pino.destination(2));
  const handshake = await readHandshake(process.stdin);
  const bridge = new WindowBridge({
    logger,
    createAgent: (hooks) => createRealAgent({ options, x11Display: process.env.DISPLAY, platform: process.platform, logger }, hooks),
    ...(options.accept !== undefined ? { autoAnswer: options.accept } : {}),
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
