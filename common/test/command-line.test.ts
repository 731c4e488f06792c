import { CommandLineError, parseSettings, usageText, type Setting } from '../node/command-line';

const SETTINGS: readonly Setting<'port' | 'host' | 'trust' | 'open' | 'mode'>[] = [
  { key: 'port', flag: 'port', env: 'PORT', kind: 'int', help: 'TCP port (8080)' },
  { key: 'host', flag: 'host', env: 'HOST', kind: 'string', help: 'interface', valueName: '<addr>' },
  { key: 'trust', flag: 'trust-proxy', env: 'TRUST_PROXY', kind: 'bool', help: 'trust the proxy' },
  { key: 'open', flag: 'no-open', kind: 'flag', help: 'do not open a browser' },
  { key: 'mode', flag: 'mode', env: 'MODE', kind: 'string', choices: ['a', 'b'], help: 'a or b' },
];

describe('parseSettings: one command-line reader for the relay and the agent', () => {
  it('reads flags in both forms and the environment; flags win', () => {
    const parsed = parseSettings(SETTINGS, ['--port', '9100', '--host=127.0.0.1', '--no-open'], { PORT: '9000', TRUST_PROXY: 'yes', MODE: 'b' });
    expect(parsed.values).toEqual({ port: 9100, host: '127.0.0.1', trust: true, open: true, mode: 'b' });
    expect(parsed.help).toBe(false);
  });

  it('leaves out what was not given, and an empty string means unset', () => {
    expect(parseSettings(SETTINGS, [], { HOST: '' }).values).toEqual({});
  });

  it('sees --help and -h', () => {
    expect(parseSettings(SETTINGS, ['--help'], {}).help).toBe(true);
    expect(parseSettings(SETTINGS, ['-h'], {}).help).toBe(true);
  });

  it.each([
    [['--nope'], {}, /unknown option --nope/],
    [['--port'], {}, /--port needs a value/],
    [['--host', '--no-open'], {}, /--host needs a value \(write --host=-… for one that starts with a dash\)/],
    [['--port', 'eighty'], {}, /--port: expected a whole number/],
    [[], { PORT: '-1' }, /PORT: expected a whole number/],
    [[], { TRUST_PROXY: 'maybe' }, /TRUST_PROXY: expected true or false/],
    [['--trust-proxy=1'], {}, /--trust-proxy takes no value/],
    [['--mode', 'c'], {}, /--mode must be one of a, b/],
    [['stray'], {}, /unexpected argument stray/],
  ])('refuses %j with env %j, saying what is wrong', (argv, env, message) => {
    expect(() => parseSettings(SETTINGS, argv, env)).toThrow(CommandLineError);
    expect(() => parseSettings(SETTINGS, argv, env)).toThrow(message);
  });

  it('prints the usage from the same table', () => {
    const text = usageText('Usage: program [options]', SETTINGS);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Usage: program [options]');
    expect(lines).toHaveLength(SETTINGS.length + 1);
    expect(text).toMatch(/--port <v>\s+PORT\s+TCP port \(8080\)/);
    expect(text).toMatch(/--host <addr>\s+HOST\s+interface/);
    expect(text).toMatch(/--no-open\s+do not open a browser/);
  });
});
