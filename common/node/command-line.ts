import { parseArgs } from 'node:util';

/**
 * One way to read a program's settings from its command line and environment, shared by
 * the relay and the agent's three entry points. Each program lists its settings once in a
 * table; node:util `parseArgs` reads the flags (`--port 9000`, `--port=9000`), the table
 * converts and checks the values, the environment fills what the flags left out, and
 * the same table prints the usage text. Pure: entry points pass argv and env in.
 */

/** pino's levels: every program's `--log-level` / `LOG_LEVEL` takes one of these. */
export const LOG_LEVELS: readonly string[] = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** How a raw string becomes a value. */
export type SettingKind = 'int' | 'string' | 'bool' | 'flag';

export interface Setting<K extends string = string> {
  /** Where the value goes in the result. */
  readonly key: K;
  /** The long flag without its dashes: `port` for `--port`. */
  readonly flag: string;
  /** The environment variable that gives the value when the flag is absent. */
  readonly env?: string;
  /**
   * `int`: a whole number ≥ 0; `string`: any text (empty means unset); `bool`: a flag
   * that may also be given as `true|false|yes|no|on|off|1|0` in the environment;
   * `flag`: present or absent, never in the environment.
   */
  readonly kind: SettingKind;
  /** For `string`: the only values accepted. */
  readonly choices?: readonly string[];
  /** One line for the usage text; the default belongs in it. */
  readonly help: string;
  /** The placeholder shown in the usage text (`<url>`); `<v>` when absent. */
  readonly valueName?: string;
}

/** A command line or environment value that cannot be used; the message names it. */
export class CommandLineError extends Error {}

export interface ParsedSettings<K extends string> {
  /** Only the settings that were given, converted; absent keys take the program's defaults. */
  readonly values: Partial<Record<K, string | number | boolean>>;
  /** `--help` or `-h` was given. */
  readonly help: boolean;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

function convert(setting: Setting, raw: string, source: string): string | number | boolean | undefined {
  switch (setting.kind) {
    case 'int':
      if (!/^[0-9]+$/.test(raw)) throw new CommandLineError(`${source}: expected a whole number`);
      return Number(raw);
    case 'bool':
    case 'flag':
      if (TRUE.test(raw)) return true;
      if (FALSE.test(raw)) return false;
      throw new CommandLineError(`${source}: expected true or false`);
    case 'string':
      if (setting.choices !== undefined && !setting.choices.includes(raw)) {
        throw new CommandLineError(`${source} must be one of ${setting.choices.join(', ')}`);
      }
      return raw === '' ? undefined : raw;
    default: {
      const unreachable: never = setting.kind;
      return unreachable;
    }
  }
}

/** parseArgs' own errors carry a code; turn them into sentences a person can act on. */
function explain(error: unknown): CommandLineError {
  const e = error as { code?: string; message?: string };
  const flag = /'(-[^']*)'/.exec(e.message ?? '')?.[1]?.split(' ')[0] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return new CommandLineError(`unknown option ${flag}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(e.message ?? '')) return new CommandLineError(`${flag} needs a value`);
      // `--name --insecure`: the next word looks like a flag, so parseArgs will not take it as the value.
      if (/argument is ambiguous/.test(e.message ?? '')) return new CommandLineError(`${flag} needs a value (write ${flag}=-… for one that starts with a dash)`);
      return new CommandLineError(`${flag} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return new CommandLineError(`unexpected argument ${e.message?.match(/'([^']*)'/)?.[1] ?? ''}`.trim());
    default: return new CommandLineError(e.message ?? String(error));
  }
}

/**
 * Reads `settings` from `argv` (flags win) and `env`. Throws CommandLineError for an
 * unknown flag, a missing value, a positional argument or a value of the wrong kind.
 */
export function parseSettings<K extends string>(
  settings: readonly Setting<K>[],
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedSettings<K> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const s of settings) options[s.flag] = { type: s.kind === 'flag' || s.kind === 'bool' ? 'boolean' : 'string' };
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw explain(error);
  }
  const values: Partial<Record<K, string | number | boolean>> = {};
  for (const s of settings) {
    const fromFlag = parsed[s.flag];
    const fromEnv = s.env === undefined || s.kind === 'flag' ? undefined : env[s.env];
    let value: string | number | boolean | undefined;
    if (typeof fromFlag === 'boolean') value = fromFlag;
    else if (fromFlag !== undefined) value = convert(s, fromFlag, `--${s.flag}`);
    else if (fromEnv !== undefined) value = convert(s, fromEnv, s.env!);
    if (value !== undefined) values[s.key] = value;
  }
  return { values, help: parsed.help === true };
}

/** The usage text: a first line, then one aligned line per setting, from the same table. */
export function usageText(firstLine: string, settings: readonly Setting[]): string {
  const left = (s: Setting): string => `--${s.flag}${s.kind === 'flag' || s.kind === 'bool' ? '' : ` ${s.valueName ?? '<v>'}`}`;
  const width = Math.max(...settings.map((s) => left(s).length)) + 2;
  const envWidth = Math.max(0, ...settings.map((s) => (s.env ?? '').length)) + 2;
  const lines = settings.map((s) => `  ${left(s).padEnd(width)}${envWidth > 2 ? (s.env ?? '').padEnd(envWidth) : ''}${s.help}`);
  return [firstLine, ...lines].join('\n');
}
