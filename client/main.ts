/**
 * The customer's agent from a terminal: `npm run client -- <options>`. The only place
 * that reads the environment and the command line and builds the root logger.
 */
import { hostname } from 'node:os';
import pino from 'pino';
import { createAgent } from './agent';
import { agentTuning, NoDisplayError, openAgentHardware } from './agent-hardware';
import { AGENT_USAGE, parseAgentArgs } from './agent-options';
import { pickLanguage } from '../common/language';
import { messagesFor } from './i18n/messages';
import { optionsOrExit } from './options-or-exit';
import { automaticConsent, terminalConsent } from './terminal/terminal-consent';
import { terminalChat } from './terminal/terminal-chat';
import { terminalFiles } from './terminal/terminal-files';
import { defaultDownloadsFolder } from './files/downloads-folder';
import { homedir } from 'node:os';
import { renderState } from './terminal/terminal-view';
import { warnIfInsecureRelay } from './insecure-relay-warning';

/** The locale POSIX uses for messages: the first of LC_ALL, LC_MESSAGES, LANG that is set. */
function effectiveMessagesLocale(env: NodeJS.ProcessEnv): string | undefined {
  return [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
}

async function main(): Promise<void> {
  const options = optionsOrExit('client', AGENT_USAGE, () => parseAgentArgs(process.argv.slice(2), process.env, hostname()), (o) => o.help);
  if (options === undefined) return;
  warnIfInsecureRelay(options.relayUrl, process.stderr);
  const t = messagesFor(options.language ?? pickLanguage([effectiveMessagesLocale(process.env)]));
  // Logs go to stderr so the customer's messages on stdout stay readable.
  const logger = pino({ level: options.logLevel, base: { service: 'agent' } }, pino.destination(2));

  let hardware;
  try {
    hardware = await openAgentHardware({ options, x11Display: process.env.DISPLAY, platform: process.platform, logger });
  } catch (e) {
    if (e instanceof NoDisplayError) {
      process.stderr.write(`client: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }

  const interactive = process.stdin.isTTY === true;
  const consent = options.accept !== undefined ? automaticConsent(options.accept, process.stdout, t)
    : interactive ? terminalConsent(process.stdin, process.stdout, t) : automaticConsent('deny', process.stdout, t);

  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  let technicianName = '';
  // Lines typed on stdin go to the technician while a chat is open (a pipe works as well as a terminal).
  const language = options.language ?? pickLanguage([effectiveMessagesLocale(process.env)]);
  const files = options.maxFileBytes === 0 ? undefined : terminalFiles({
    output: process.stdout, t, language, maxFileBytes: options.maxFileBytes, technicianName: () => technicianName,
    downloadsFolder: options.downloads ?? await defaultDownloadsFolder(homedir(), process.platform, process.env.XDG_CONFIG_HOME),
  });
  const chat = terminalChat(process.stdin, process.stdout, t, () => technicianName, (line) => files?.command(line) ?? false);
  const agent = await createAgent({
    relayUrl: options.relayUrl,
    name: options.name,
    ...hardware,
    logger,
    consent,
    chat,
    ...(files !== undefined ? { files } : {}),
    onRecording: (recording) => process.stdout.write(`${recording ? t.recordingStarted : t.recordingStopped}\n`),
    onState: (state) => {
      if (state.kind === 'sharing') technicianName = state.technicianName;
      renderState(state, t, process.stdout);
      // A terminal agent serves one session, then exits; run it again for the next one.
      if (state.kind === 'ended' || state.kind === 'failed') finished();
    },
    ...agentTuning(options),
  });

  chat.bind((text) => agent.session.sendChat(text));
  files?.bindCancel((id) => agent.session.cancelFile(id));

  const onSignal = (): void => {
    void agent.session.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  agent.session.connect();
  await done;
  chat.close();
  await agent.close();
  process.exit(agent.session.current.kind === 'failed' ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
