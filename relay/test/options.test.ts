import { parseRelayCommandLine } from '../cli-options';
import { DEFAULT_RELAY_OPTIONS, RelayOptionsError, resolveRelayOptions } from '../options';

describe('relay options', () => {
  test('defaults are the documented ones and frozen', () => {
    const o = resolveRelayOptions();
    expect(o.port).toBe(8080);
    expect(o.codeTtlMs).toBe(600_000);
    expect(o.heartbeatIntervalMs * 2).toBeLessThanOrEqual(30_000); // dead sockets found within 30 s
    expect(Object.isFrozen(o)).toBe(true);
    expect(o).toEqual(DEFAULT_RELAY_OPTIONS);
  });

  test('invalid values are refused with a clear message', () => {
    expect(() => resolveRelayOptions({ port: 70000 })).toThrow(RelayOptionsError);
    expect(() => resolveRelayOptions({ codeTtlMs: 0 })).toThrow(/codeTtlMs/);
    expect(() => resolveRelayOptions({ tlsCertFile: 'a.pem' })).toThrow(/tlsKeyFile/);
    expect(() => resolveRelayOptions({ adminToken: 'short' })).toThrow(/adminToken/);
  });

  test('environment variables and flags map onto options; flags win', () => {
    const p = parseRelayCommandLine(
      { PORT: '9000', HOST: '127.0.0.1', ADMIN_TOKEN: 'x'.repeat(16), TRUST_PROXY: '10.0.0.0/8', LOG_LEVEL: 'debug' },
      ['--port', '9100', '--code-ttl-ms=120000'],
    );
    expect(p.options).toMatchObject({ port: 9100, host: '127.0.0.1', trustProxy: ['10.0.0.0/8'], codeTtlMs: 120_000 });
    expect(p.logLevel).toBe('debug');
    expect(resolveRelayOptions(p.options).port).toBe(9100);
  });

  test('bad command lines are refused', () => {
    expect(() => parseRelayCommandLine({ PORT: 'eighty' }, [])).toThrow(/PORT/);
    expect(() => parseRelayCommandLine({}, ['--nope'])).toThrow(/unknown option/);
    expect(() => parseRelayCommandLine({}, ['--port'])).toThrow(/needs a value/);
    expect(() => parseRelayCommandLine({ LOG_LEVEL: 'loud' }, [])).toThrow(/LOG_LEVEL/);
  });
});
