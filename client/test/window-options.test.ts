import { AgentOptionsError } from '../agent-options';
import { optionsOrExit, type EntryPointIo } from '../options-or-exit';
import { parseWindowArgs, WINDOW_USAGE } from '../window/window-options';

describe('window options', () => {
  test('defaults: open the browser on a free port, with the agent defaults', () => {
    expect(parseWindowArgs([], {}, 'PC-1')).toMatchObject({ open: true, port: 0, exitAfterClosedMs: 5000, agent: { name: 'PC-1', relayUrl: 'ws://127.0.0.1:8080/ws' } });
  });

  test('--no-open is a flag, --port takes a number, and the agent options mix in any order', () => {
    const o = parseWindowArgs(['--accept=deny', '--no-open', '--port=4321', '--insecure'], {}, 'PC-1');
    expect(o).toMatchObject({ open: false, port: 4321, agent: { accept: 'deny', insecure: true } });
    expect(() => parseWindowArgs(['--no-open=1'], {}, 'PC-1')).toThrow(/--no-open takes no value/);
  });

  test.each([
    [['--port', '65536'], /--port must be 0–65535/],
    [['--port', '-1'], /--port needs a value/],
    [['--port', 'x'], /--port: expected a whole number/],
    [['--relay', 'http://x'], /--relay must be a ws:\/\/ or wss:\/\/ address/],
  ])('refuses %j', (args, message) => {
    expect(() => parseWindowArgs(args, {}, 'PC-1')).toThrow(AgentOptionsError);
    expect(() => parseWindowArgs(args, {}, 'PC-1')).toThrow(message);
  });

  test('the usage names the program, says what it is for, and lists its options and the agent\'s', () => {
    const lines = WINDOW_USAGE.split('\n');
    expect(lines[0]).toBe('Usage: npm run client:window -- [options]');
    expect(lines[1]).toMatch(/without the Neutralino runtime/);
    expect(WINDOW_USAGE).toMatch(/--no-open\s+do not open a browser/);
    expect(WINDOW_USAGE).toMatch(/--port <n>\s+local port of the window/);
    expect(WINDOW_USAGE).toMatch(/--relay <url>\s+RELAY_URL/);
  });
});

describe('an entry point reading its options', () => {
  class Exited extends Error {
    constructor(readonly code: number) { super(`exit ${code}`); }
  }
  const fakeIo = () => {
    const io = { out: '', err: '' };
    const entry: EntryPointIo = {
      stdout: { write: (t: string) => { io.out += t; } },
      stderr: { write: (t: string) => { io.err += t; } },
      exit: (code: number) => { throw new Exited(code); },
    };
    return { io, entry };
  };
  const read = (argv: string[], entry: EntryPointIo) =>
    optionsOrExit('client:window', WINDOW_USAGE, () => parseWindowArgs(argv, {}, 'PC-1'), (o) => o.agent.help, entry);

  test('a bad option: what is wrong, then the usage, on stderr, and exit status 2', () => {
    const { io, entry } = fakeIo();
    expect(() => read(['--kiosk'], entry)).toThrow(new Exited(2));
    expect(io.err).toBe(`client:window: unknown option --kiosk\n\n${WINDOW_USAGE}\n`);
    expect(io.out).toBe('');
  });

  test('--help: the usage on stdout and nothing to run', () => {
    const { io, entry } = fakeIo();
    expect(read(['-h'], entry)).toBeUndefined();
    expect(io.out).toBe(`${WINDOW_USAGE}\n`);
    expect(io.err).toBe('');
  });

  test('good options are handed back; other errors are not taken for bad options', () => {
    const { io, entry } = fakeIo();
    expect(read(['--no-open'], entry)).toMatchObject({ open: false });
    expect(() => optionsOrExit('x', 'usage', () => { throw new TypeError('bug'); }, () => false, entry)).toThrow(TypeError);
    expect(io.out + io.err).toBe('');
  });
});
