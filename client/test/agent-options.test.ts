import { AGENT_USAGE, AgentOptionsError, parseAgentArgs } from '../agent-options';
import { messagesFor } from '../i18n/messages';

describe('agent options', () => {
  test('defaults: local relay, the computer\'s name, ask in the terminal', () => {
    const o = parseAgentArgs([], {}, 'PC-MARIA');
    expect(o).toMatchObject({ relayUrl: 'ws://127.0.0.1:8080/ws', name: 'PC-MARIA', accept: undefined, quality: undefined, maxFps: 60 });
  });

  test('flags and RELAY_URL', () => {
    const o = parseAgentArgs(['--relay=wss://soporte.example.com/ws', '--accept', 'view-only', '--quality', '55', '--lang', 'en'], {}, 'x');
    expect(o).toMatchObject({ relayUrl: 'wss://soporte.example.com/ws', accept: 'view-only', quality: 55, language: 'en' });
    expect(parseAgentArgs([], { RELAY_URL: 'ws://10.0.0.1:9000/ws' }, 'x').relayUrl).toBe('ws://10.0.0.1:9000/ws');
  });

  test.each([
    [['--relay', 'http://x'], /ws:\/\//], [['--accept', 'yes'], /--accept/], [['--quality', '0'], /--quality/],
    [['--bogus'], /unknown option/], [['--name'], /needs a value/], [['--capture', 'gpu'], /--capture/], [['--max-fps', '0'], /--max-fps/],
  ])('refuses %j', (args, message) => {
    expect(() => parseAgentArgs(args, {}, 'x')).toThrow(AgentOptionsError);
    expect(() => parseAgentArgs(args, {}, 'x')).toThrow(message);
  });

  test('--changes: auto by default (X11 DAMAGE where available), poll on request, nothing else', () => {
    expect(parseAgentArgs([], {}, 'x').changes).toBe('auto');
    expect(parseAgentArgs(['--changes', 'poll'], {}, 'x').changes).toBe('poll');
    expect(() => parseAgentArgs(['--changes', 'damage'], {}, 'x')).toThrow(/--changes must be one of auto, poll/);
  });

  test('secret digits (3 by default, 3–6) and --require-e2e / REQUIRE_E2E', () => {
    expect(parseAgentArgs([], {}, 'x')).toMatchObject({ secretDigits: 3, requireE2e: false });
    expect(parseAgentArgs(['--secret-digits', '6', '--require-e2e'], {}, 'x')).toMatchObject({ secretDigits: 6, requireE2e: true });
    expect(parseAgentArgs([], { REQUIRE_E2E: 'true' }, 'x').requireE2e).toBe(true);
    for (const bad of ['2', '7', '0', '-3', 'x', '3.5', '']) {
      expect(() => parseAgentArgs(['--secret-digits', bad], {}, 'x')).toThrow(/--secret-digits/);
    }
  });

  test('--insecure and --help are flags; LOG_LEVEL sets the log level and --log-level wins', () => {
    expect(parseAgentArgs(['--insecure', '--help'], { LOG_LEVEL: 'debug' }, 'x')).toMatchObject({ insecure: true, help: true, logLevel: 'debug' });
    expect(parseAgentArgs(['--log-level', 'info'], { LOG_LEVEL: 'debug' }, 'x')).toMatchObject({ insecure: false, help: false, logLevel: 'info' });
    expect(parseAgentArgs([], {}, 'x').logLevel).toBe('warn');
    expect(() => parseAgentArgs(['--insecure=yes'], {}, 'x')).toThrow(/--insecure takes no value/);
  });

  test.each([
    [['--quality', '101'], /--quality must be a whole number from 1 to 100/],
    [['--quality', 'high'], /--quality/],
    [['--max-fps', '121'], /--max-fps must be 1–120/],
    [['--encoder', 'gpu'], /--encoder must be one of auto, sharp, jpeg-js/],
    [['--lang', 'fr'], /--lang must be one of es, en/],
    [['--log-level', 'loud'], /--log-level must be one of/],
  ])('refuses %j, naming the option', (args, message) => {
    expect(() => parseAgentArgs(args, {}, 'x')).toThrow(AgentOptionsError);
    expect(() => parseAgentArgs(args, {}, 'x')).toThrow(message);
  });

  test('the usage lists every option with its default', () => {
    const lines = AGENT_USAGE.split('\n');
    expect(lines[0]).toBe('Usage: npm run client -- [options]');
    for (const flag of ['--relay <url>', '--name <text>', '--accept <answer>', '--quality <1-100>', '--max-fps <n>', '--capture <which>', '--encoder <which>', '--changes <how>', '--lang <es|en>', '--insecure', '--log-level <level>']) {
      expect(lines.some((line) => line.trimStart().startsWith(flag))).toBe(true);
    }
    expect(AGENT_USAGE).toMatch(/--relay <url>\s+RELAY_URL\s+.*default ws:\/\/127\.0\.0\.1:8080\/ws/);
    expect(AGENT_USAGE).toMatch(/--accept <answer>\s+.*control \| view-only \| deny/);
  });
});

describe('terminal messages', () => {
  test('both languages have every message', () => {
    const es = messagesFor('es');
    const en = messagesFor('en');
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    expect(es.consentQuestion('Juan')).toContain('quiere ver y controlar su pantalla');
    expect(en.consentQuestion('Juan')).toContain('wants to see and control your screen');
  });
});
