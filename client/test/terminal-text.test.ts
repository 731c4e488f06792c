import { PassThrough } from 'node:stream';
import { messagesFor } from '../i18n/messages';
import { terminalChat } from '../terminal/terminal-chat';
import { printableForTerminal } from '../terminal/terminal-text';

describe('printableForTerminal', () => {
  test('keeps text, accents, emoji, tabs and line breaks exactly', () => {
    const text = '¿Reinicio el equipo? Sí, ahora 👍\n\tdos';
    expect(printableForTerminal(text)).toBe(text);
  });

  test('neutralises escape sequences, other control characters and bidirectional overrides', () => {
    expect(printableForTerminal('\u001b[2J\u001b]0;pwned\u0007ok')).toBe('\ufffd[2J\ufffd]0;pwned\ufffdok');
    expect(printableForTerminal('a\rb\u0000c\u007fd\u009be')).toBe('a\ufffdb\ufffdc\ufffdd\ufffde');
    expect(printableForTerminal('pay \u202eexe.txt')).toBe('pay \ufffdexe.txt');
  });
});

describe('terminalChat', () => {
  const t = messagesFor('en');

  test('prints the technician\'s lines made safe and indented, and sends each line typed while the chat is open', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => { printed += c.toString('utf8'); });
    const sent: string[] = [];
    const chat = terminalChat(input, output, t, () => 'Juan');
    chat.bind((text) => { sent.push(text); return text !== 'too long'; });
    input.write('before the chat\n');
    await new Promise((resolve) => setImmediate(resolve));
    chat.onAvailable(true);
    chat.onMessage('¿Reinicio?\n\u001b[31mrojo');
    input.write('Sí, ahora 👍\n\ntoo long\n');
    await new Promise((resolve) => setImmediate(resolve));
    chat.onAvailable(false);
    input.write('after\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['Sí, ahora 👍', 'too long']);
    expect(printed).toContain(t.chatOpen);
    expect(printed).toContain('💬 Juan:\n   ¿Reinicio?\n   \ufffd[31mrojo\n');
    expect(printed).toContain(t.chatNotSent);
    chat.close();
  });
});
