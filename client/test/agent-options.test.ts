import { AgentOptionsError, parseAgentArgs } from '../agent-options';
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
