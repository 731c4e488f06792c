/**
 * The customer's window in the default browser: `npm run client:window -- <options>`.
 * For machines without the Neutralino runtime (and how the window is tested): the agent
 * serves the window's page on 127.0.0.1 and opens it through a one-time launcher file
 * (see local-page-server.ts). The only place
 * that reads the environment and the command line and builds the root logger.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { homedir } from 'node:os';
import { defaultDownloadsFolder } from '../files/downloads-folder';
import { optionsOrExit } from '../options-or-exit';
import { LocalPageServer } from './local-page-server';
import { openInBrowser } from './open-browser';
import { createRealAgent } from './real-agent';
import { createWindowAttention } from './attention/create-window-attention';
import { WindowBridge } from './window-bridge';
import { parseWindowArgs, WINDOW_USAGE } from './window-options';
import { warnIfInsecureRelay } from '../insecure-relay-warning';

async function main(): Promise<void> {
  const options = optionsOrExit('client:window', WINDOW_USAGE, () => parseWindowArgs(process.argv.slice(2), process.env, hostname()), (o) => o.agent.help);
  if (options === undefined) return;
  warnIfInsecureRelay(options.agent.relayUrl, process.stderr);
  const logger = pino({ level: options.agent.logLevel, base: { service: 'agent-window' } }, pino.destination(2));
  // Built beside this file by `npm run build` (dist/client/window.js → dist/client-app/),
  // or in the customer's package (dist/client-app/ beside the executable, where the
  // Neutralino runtime also looks for it).
  const packaged = resolve(__dirname, 'dist', 'client-app');
  const pageDir = existsSync(join(packaged, 'index.html')) ? packaged : resolve(__dirname, '../client-app');
  if (!existsSync(join(pageDir, 'index.html'))) throw new Error(`the window's page is missing in ${pageDir}; run npm run build`);

  const bridge = new WindowBridge({
    logger,
    createAgent: (hooks) => createRealAgent({ options: options.agent, x11Display: process.env.DISPLAY, platform: process.platform, logger }, hooks),
    // The urgency hint / taskbar flash when a technician asks: found by the window's title.
    attention: createWindowAttention({ platform: process.platform, x11Display: process.env.DISPLAY, logger }),
    ...(options.agent.accept !== undefined ? { autoAnswer: options.agent.accept } : {}),
    files: {
      downloadsFolder: options.agent.downloads ?? await defaultDownloadsFolder(homedir(), process.platform, process.env.XDG_CONFIG_HOME),
      maxFileBytes: options.agent.maxFileBytes,
    },
  });

  let exitTimer: NodeJS.Timeout | undefined;
  let hadPage = false;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> => (shuttingDown ??= (async () => {
    if (exitTimer) clearTimeout(exitTimer);
    await bridge.close();
    await server.close();
    process.exit(code);
  })());

  const server = await LocalPageServer.start({
    pageDir,
    port: options.port,
    logger,
    onEnvelope: (envelope) => bridge.handleEnvelope(envelope),
    onPagesChanged: (count) => {
      if (exitTimer) clearTimeout(exitTimer);
      exitTimer = undefined;
      if (count > 0) {
        hadPage = true;
        return;
      }
      // The customer closed the window: stop sharing and quit, unless it was only a reload.
      if (hadPage) exitTimer = setTimeout(() => void shutdown(0), options.exitAfterClosedMs);
    },
  });
  bridge.attach(server);

  // The one-time address goes to this terminal (only its user reads it) and, for the
  // browser, into a file only this user can read: never into a command line.
  const launchUrl = server.launchUrl!;
  const launcher = options.open ? await server.writeLauncher() : undefined;
  if (launcher === undefined || !(await openInBrowser(launcher, process.platform))) {
    process.stdout.write(`CompuEasys Soporte Remoto / Remote Support: ${launchUrl}\n`);
    process.stdout.write('Abra esa dirección en su navegador; sirve una sola vez. / Open that address in your browser; it works once.\n');
  } else {
    process.stdout.write('CompuEasys Soporte Remoto / Remote Support: la ventana se abrió en su navegador. / the window opened in your browser.\n');
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`client:window: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
