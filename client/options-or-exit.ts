import { CommandLineError } from '../common/node/command-line';

/** The parts of `process` an entry point's start needs; injectable for tests. */
export interface EntryPointIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  exit(code: number): never;
}

/**
 * How each of the agent's entry points starts: read the options; on a bad one say what
 * is wrong, then the usage, on stderr and exit 2; on `--help` print the usage on stdout
 * and return undefined, so the entry point simply returns (exit 0 once stdout is written).
 * `parse` is given argv and env by the entry point, the only place that reads them.
 */
export function optionsOrExit<T>(
  program: string,
  usage: string,
  parse: () => T,
  wantsHelp: (options: T) => boolean,
  io: EntryPointIo = process,
): T | undefined {
  let options: T;
  try {
    options = parse();
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    io.stderr.write(`${program}: ${e.message}\n\n${usage}\n`);
    return io.exit(2);
  }
  if (wantsHelp(options)) {
    io.stdout.write(`${usage}\n`);
    return undefined;
  }
  return options;
}
