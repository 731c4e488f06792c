import { AGENT_USAGE, AgentOptionsError, parseAgentArgs, type AgentOptions } from '../agent-options';

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

export const WINDOW_USAGE = `Usage: npm run client:window -- [options]
The customer's window in the default browser, for machines without the Neutralino runtime.
  --no-open            do not open a browser; only print the window's address
  --port <n>           local port of the window (default: a free one)
${AGENT_USAGE.split('\n').slice(1).join('\n')}`;

/** Pure: main.ts passes argv and env in. Throws AgentOptionsError on a bad option. */
export function parseWindowArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): WindowOptions {
  const rest: string[] = [];
  let open = true;
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-open') {
      open = false;
    } else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      port = Number(value);
      if (value === undefined || !Number.isInteger(port) || port < 0 || port > 65535) throw new AgentOptionsError('--port must be 0–65535');
    } else {
      rest.push(arg);
    }
  }
  return Object.freeze({ agent: parseAgentArgs(rest, env, hostname), open, port, exitAfterClosedMs: 5_000 });
}
