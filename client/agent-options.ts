import { DEFAULT_SECRET_DIGITS, MAX_SECRET_DIGITS, MIN_SECRET_DIGITS } from '../common/access-code';
import { CommandLineError, LOG_LEVELS, parseSettings, usageText, type ParsedSettings, type Setting } from '../common/node/command-line';
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
  /**
   * How changes are found: `auto` asks the display server (X11 DAMAGE) where it can and
   * polls full frames elsewhere; `poll` always polls (to compare, or if DAMAGE misbehaves).
   */
  readonly changes: 'auto' | 'poll';
  /** Language of the messages; from the system when absent. */
  readonly language: 'es' | 'en' | undefined;
  /** Accept a relay certificate that does not verify (a test relay with a self-signed certificate). */
  readonly insecure: boolean;
  /** Secret digits added to each code (3–6): what keeps the relay out of the middle. */
  readonly secretDigits: number;
  /** Refuse technicians who cannot encrypt end to end, without asking the customer. */
  readonly requireE2e: boolean;
  /** Where files from the technician are saved; absent: the system's Downloads folder (XDG user dirs, ~/Downloads). */
  readonly downloads: string | undefined;
  /** Largest file taken from or sent to the technician, in bytes; 0 offers no file transfer. */
  readonly maxFileBytes: number;
  readonly logLevel: string;
  readonly help: boolean;
}

/** A bad option; the message names it. The shared command-line reader's error, under the agent's name. */
export { CommandLineError as AgentOptionsError };

const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8080/ws';
const DEFAULT_MAX_FPS = 60;
/** Largest file by default: 2 GiB. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024;
const ACCEPT_ANSWERS: readonly ConsentAnswer[] = ['control', 'view-only', 'deny'];
const CAPTURES: readonly AgentOptions['capture'][] = ['auto', 'nut-js', 'screenshot-desktop'];
const ENCODERS: readonly AgentOptions['encoder'][] = ['auto', 'sharp', 'jpeg-js'];
const CHANGES: readonly AgentOptions['changes'][] = ['auto', 'poll'];
const LANGUAGES: readonly NonNullable<AgentOptions['language']>[] = ['es', 'en'];

export type AgentSettingKey = 'relayUrl' | 'name' | 'accept' | 'quality' | 'maxFps' | 'capture' | 'encoder' | 'changes' | 'language' | 'insecure'
  | 'secretDigits' | 'requireE2e' | 'downloads' | 'maxFileBytes' | 'logLevel';

/** Every agent option, once: the reader and the usage text both come from this table. */
export const AGENT_SETTINGS: readonly Setting<AgentSettingKey>[] = [
  { key: 'relayUrl', flag: 'relay', env: 'RELAY_URL', kind: 'string', valueName: '<url>', help: `relay WebSocket address, ws:// or wss:// (default ${DEFAULT_RELAY_URL})` },
  { key: 'name', flag: 'name', kind: 'string', valueName: '<text>', help: "name shown to the technician (default: this computer's name)" },
  { key: 'accept', flag: 'accept', kind: 'string', choices: ACCEPT_ANSWERS, valueName: '<answer>', help: `answer technicians without asking: ${ACCEPT_ANSWERS.join(' | ')}` },
  { key: 'quality', flag: 'quality', kind: 'int', valueName: '<1-100>', help: 'fixed JPEG quality (default: automatic)' },
  { key: 'maxFps', flag: 'max-fps', kind: 'int', valueName: '<n>', help: `highest frame rate, 1–120 (default ${DEFAULT_MAX_FPS})` },
  { key: 'capture', flag: 'capture', kind: 'string', choices: CAPTURES, valueName: '<which>', help: `screen capture: ${CAPTURES.join(' | ')} (default auto)` },
  { key: 'encoder', flag: 'encoder', kind: 'string', choices: ENCODERS, valueName: '<which>', help: `JPEG encoder: ${ENCODERS.join(' | ')} (default auto)` },
  { key: 'changes', flag: 'changes', kind: 'string', choices: CHANGES, valueName: '<how>', help: `how changes are found: ${CHANGES.join(' | ')} (default auto: X11 DAMAGE where available, else polling)` },
  { key: 'language', flag: 'lang', kind: 'string', choices: LANGUAGES, valueName: '<es|en>', help: 'language of the messages (default: from the system)' },
  { key: 'insecure', flag: 'insecure', kind: 'flag', help: 'accept a relay certificate that does not verify (testing only)' },
  { key: 'secretDigits', flag: 'secret-digits', kind: 'int', valueName: `<${MIN_SECRET_DIGITS}-${MAX_SECRET_DIGITS}>`, help: `secret digits added to each code, which the relay never sees (default ${DEFAULT_SECRET_DIGITS})` },
  { key: 'requireE2e', flag: 'require-e2e', env: 'REQUIRE_E2E', kind: 'bool', help: 'refuse technicians whose app cannot encrypt end to end, without asking (default false)' },
  { key: 'downloads', flag: 'downloads', kind: 'string', valueName: '<folder>', help: 'where files from the technician are saved (default: your Downloads folder)' },
  { key: 'maxFileBytes', flag: 'max-file-bytes', kind: 'int', valueName: '<bytes>', help: `largest file taken or sent; 0: no file transfer (default ${DEFAULT_MAX_FILE_BYTES})` },
  { key: 'logLevel', flag: 'log-level', env: 'LOG_LEVEL', kind: 'string', choices: LOG_LEVELS, valueName: '<level>', help: `${LOG_LEVELS.join('|')} (default warn)` },
];

export const AGENT_USAGE = usageText('Usage: npm run client -- [options]', AGENT_SETTINGS);

/**
 * The agent's options from what the shared reader found (`parsed` may hold other
 * programs' settings too: the window's): defaults filled in, ranges checked.
 */
export function agentOptionsFrom(parsed: ParsedSettings<AgentSettingKey>, hostname: string): AgentOptions {
  const { values } = parsed;
  // The table's kinds and choices already checked these; the casts only tell TypeScript.
  const relayUrl = (values.relayUrl as string | undefined) ?? DEFAULT_RELAY_URL;
  if (!/^wss?:\/\/[^/]+/.test(relayUrl)) throw new CommandLineError('--relay must be a ws:// or wss:// address');
  const quality = values.quality as number | undefined;
  if (quality !== undefined && (quality < 1 || quality > 100)) {
    throw new CommandLineError('--quality must be a whole number from 1 to 100');
  }
  const maxFps = (values.maxFps as number | undefined) ?? DEFAULT_MAX_FPS;
  if (maxFps < 1 || maxFps > 120) throw new CommandLineError('--max-fps must be 1–120');
  const name = ((values.name as string | undefined) ?? hostname).slice(0, 64);
  if (name.length === 0) throw new CommandLineError('--name must not be empty');
  const secretDigits = (values.secretDigits as number | undefined) ?? DEFAULT_SECRET_DIGITS;
  if (secretDigits < MIN_SECRET_DIGITS || secretDigits > MAX_SECRET_DIGITS) {
    throw new CommandLineError(`--secret-digits must be ${MIN_SECRET_DIGITS}–${MAX_SECRET_DIGITS}`);
  }
  const maxFileBytes = (values.maxFileBytes as number | undefined) ?? DEFAULT_MAX_FILE_BYTES;
  if (maxFileBytes < 0) throw new CommandLineError('--max-file-bytes must be 0 or more');
  return {
    relayUrl,
    name,
    accept: values.accept as ConsentAnswer | undefined,
    quality,
    maxFps,
    capture: (values.capture as AgentOptions['capture'] | undefined) ?? 'auto',
    encoder: (values.encoder as AgentOptions['encoder'] | undefined) ?? 'auto',
    changes: (values.changes as AgentOptions['changes'] | undefined) ?? 'auto',
    language: values.language as AgentOptions['language'],
    insecure: values.insecure === true,
    secretDigits,
    requireE2e: values.requireE2e === true,
    downloads: values.downloads as string | undefined,
    maxFileBytes,
    logLevel: (values.logLevel as string | undefined) ?? 'warn',
    help: parsed.help,
  };
}

/** Pure: main.ts passes argv and env in. Throws AgentOptionsError on a bad option. */
export function parseAgentArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname: string): AgentOptions {
  return agentOptionsFrom(parseSettings(AGENT_SETTINGS, argv, env), hostname);
}
