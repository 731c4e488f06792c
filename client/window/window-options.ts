import { CommandLineError, parseSettings, usageText, type Setting } from '../../common/node/command-line';
import { AGENT_SETTINGS, agentOptionsFrom, type AgentOptions, type AgentSettingKey } from '../agent-options';

/** What `npm run client:window -- <options>` accepts: the agent's options and a few of the window's. */
export interface WindowOptions {
  readonly agent: AgentOptions;
  /** Open the page in the default browser (off with `--no-open`: print the address only). */
  readonly open: boolean;
  /** Port of the local page server; 0 picks a free one. */
  readonly port: number;
  /** Stop sharing and exit this long after the last window closed (a reload comes back well within it). */
  readonly exitAfterClosedMs: number;
}

/** The window's own options first, then every agent option. */
const WINDOW_SETTINGS: readonly Setting<AgentSettingKey | 'noOpen' | 'port'>[] = [
  { key: 'noOpen', flag: 'no-open', kind: 'flag', help: "do not open a browser; only print the window's address" },
  { key: 'port', flag: 'port', kind: 'int', valueName: '<n>', help: 'local port of the window, 0–65535 (default: a free one)' },
  ...AGENT_SETTINGS,
];

export const WINDOW_USAGE = usageText(
  "Usage: npm run client:window -- [options]\nThe customer's window in the default browser, for machines without the Neutralino runtime.",
  WINDOW_SETTINGS,
);

/** Pure: main.ts passes argv and env in. Throws AgentOptionsError on a bad option. */
export function parseWindowArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): WindowOptions {
  const parsed = parseSettings(WINDOW_SETTINGS, argv, env);
  const port = (parsed.values.port as number | undefined) ?? 0;
  if (port > 65535) throw new CommandLineError('--port must be 0–65535');
  return Object.freeze({ agent: agentOptionsFrom(parsed, hostname), open: parsed.values.noOpen !== true, port, exitAfterClosedMs: 5_000 });
}
