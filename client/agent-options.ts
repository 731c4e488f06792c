import type { ConsentAnswer } from './contract/ui-events';

/** What `npm run client -- <options>` accepts. Pure: main.ts passes argv and env in. */
export interface AgentOptions {
  /** Relay WebSocket address, ws:// or wss://. */
  readonly relayUrl: string;
  /** Name the technician sees. */
  readonly name: string;
  /** Answer consent without asking (unattended use and tests); undefined asks in the terminal. */
  readonly accept: ConsentAnswer | undefined;
  /** Fixed JPEG quality, or undefined for automatic. */
  readonly quality: number | undefined;
  /** Highest frame rate. */
  readonly maxFps: number;
  /** Force a screen source or an encoder (the native one is tried first otherwise). */
  readonly capture: 'auto' | 'nut-js' | 'screenshot-desktop';
  readonly encoder: 'auto' | 'sharp' | 'jpeg-js';
  /** Language of the messages; from the system when absent. */
  readonly language: 'es' | 'en' | undefined;
  /** Accept a relay certificate that does not verify (a test relay with a self-signed certificate). */
  readonly insecure: boolean;
  readonly logLevel: string;
  readonly help: boolean;
}

export class AgentOptionsError extends Error {}

export const AGENT_USAGE = `Usage: npm run client -- [options]
  --relay <url>        relay WebSocket address (default ws://127.0.0.1:8080/ws; env RELAY_URL)
  --name <text>        name shown to the technician (default: this computer's name)
  --accept <answer>    answer technicians without asking: control | view-only | deny
  --quality <1-100>    fixed JPEG quality (default: automatic)
  --max-fps <n>        highest frame rate (default 60)
  --capture <which>    auto | nut-js | screenshot-desktop
  --encoder <which>    auto | sharp | jpeg-js
  --lang <es|en>       language of the messages (default: from the system)
  --insecure           accept a relay certificate that does not verify (testing only)
  --log-level <level>  fatal|error|warn|info|debug|trace|silent (default warn)`;

export function parseAgentArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): AgentOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const takesValue = new Set(['--relay', '--name', '--accept', '--quality', '--max-fps', '--capture', '--encoder', '--lang', '--log-level']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--help' || flag === '-h' || flag === '--insecure') {
      flags.add(flag === '-h' ? '--help' : flag);
      continue;
    }
    if (!takesValue.has(flag)) throw new AgentOptionsError(`unknown option ${flag}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new AgentOptionsError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const relayUrl = values.get('--relay') ?? env.RELAY_URL ?? 'ws://127.0.0.1:8080/ws';
  if (!/^wss?:\/\/[^/]+/.test(relayUrl)) throw new AgentOptionsError('--relay must be a ws:// or wss:// address');
  const accept = values.get('--accept');
  if (accept !== undefined && !['control', 'view-only', 'deny'].includes(accept)) {
    throw new AgentOptionsError('--accept must be control, view-only or deny');
  }
  const quality = values.has('--quality') ? Number(values.get('--quality')) : undefined;
  if (quality !== undefined && (!Number.isInteger(quality) || quality < 1 || quality > 100)) {
    throw new AgentOptionsError('--quality must be a whole number from 1 to 100');
  }
  const maxFps = Number(values.get('--max-fps') ?? 60);
  if (!Number.isInteger(maxFps) || maxFps < 1 || maxFps > 120) throw new AgentOptionsError('--max-fps must be 1–120');
  const capture = values.get('--capture') ?? 'auto';
  if (!['auto', 'nut-js', 'screenshot-desktop'].includes(capture)) throw new AgentOptionsError('--capture must be auto, nut-js or screenshot-desktop');
  const encoder = values.get('--encoder') ?? 'auto';
  if (!['auto', 'sharp', 'jpeg-js'].includes(encoder)) throw new AgentOptionsError('--encoder must be auto, sharp or jpeg-js');
  const lang = values.get('--lang');
  if (lang !== undefined && lang !== 'es' && lang !== 'en') throw new AgentOptionsError('--lang must be es or en');
  const name = (values.get('--name') ?? hostname).slice(0, 64);
  if (name.length === 0) throw new AgentOptionsError('--name must not be empty');
  return {
    relayUrl, name, accept: accept as ConsentAnswer | undefined, quality, maxFps,
    capture: capture as AgentOptions['capture'], encoder: encoder as AgentOptions['encoder'],
    language: lang as AgentOptions['language'], insecure: flags.has('--insecure'),
    logLevel: values.get('--log-level') ?? env.LOG_LEVEL ?? 'warn', help: flags.has('--help'),
  };
}
