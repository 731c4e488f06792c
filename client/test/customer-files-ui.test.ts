import { PassThrough } from 'node:stream';
import { decodeFileUpdate, decodeUiCommand, type FileUpdate } from '../contract/ui-events';
import { xdgDownloadDir } from '../files/downloads-folder';
import { messagesFor } from '../i18n/messages';
import { terminalFiles } from '../terminal/terminal-files';
import { WindowFiles } from '../window/window-files';

describe('the window contract for files', () => {
  test('commands are checked member by member', () => {
    expect(decodeUiCommand({ command: 'file-answer', question: 3, accept: true })).toEqual({ command: 'file-answer', question: 3, accept: true });
    expect(decodeUiCommand({ command: 'file-answer', question: 3, accept: 'yes' })).toBeUndefined();
    expect(decodeUiCommand({ command: 'file-pick', question: 2, path: '/home/ana/a.txt' })).toEqual({ command: 'file-pick', question: 2, path: '/home/ana/a.txt' });
    expect(decodeUiCommand({ command: 'file-pick', question: 2 })).toEqual({ command: 'file-pick', question: 2 });
    expect(decodeUiCommand({ command: 'file-pick', question: 2, path: '' })).toBeUndefined();
    expect(decodeUiCommand({ command: 'file-pick', question: 2, path: 'x'.repeat(4097) })).toBeUndefined();
    expect(decodeUiCommand({ command: 'file-cancel', id: -1 })).toBeUndefined();
  });

  test('updates are checked member by member', () => {
    const progress: FileUpdate = { kind: 'progress', id: 1, direction: 'receive', name: 'a.bin', bytes: 5, total: 10, bytesPerSecond: 2, secondsLeft: 2.5 };
    expect(decodeFileUpdate(progress)).toEqual(progress);
    expect(decodeFileUpdate({ ...progress, bytes: -1 })).toBeUndefined();
    expect(decodeFileUpdate({ kind: 'finished', id: 1, direction: 'send', name: 'a', outcome: 'exploded' })).toBeUndefined();
    expect(decodeFileUpdate({ kind: 'offer', question: 1, name: 'x'.repeat(256), size: 1 })).toBeUndefined();
  });
});

describe('WindowFiles (the agent side of the window)', () => {
  test('an offer becomes a numbered question; the page\'s answer settles it and closes it; a cancelled question closes as no', async () => {
    const published: FileUpdate[] = [];
    const files = new WindowFiles('/tmp/x', 100, (u) => published.push(u));
    const first = files.confirmReceive({ name: 'a.txt', size: 3 }, new AbortController().signal);
    expect(published).toEqual([{ kind: 'offer', question: 1, name: 'a.txt', size: 3 }]);
    files.answer(1, true);
    expect(await first).toBe(true);
    expect(published.at(-1)).toEqual({ kind: 'closed', question: 1 });
    files.answer(1, false); // answered already: nothing happens
    const abort = new AbortController();
    const second = files.pickFile(abort.signal);
    abort.abort();
    expect(await second).toBeUndefined();
    expect(published.at(-1)).toEqual({ kind: 'closed', question: 2 });
  });

  test('a page that reloads is asked again the open questions; too many open at once are answered no', async () => {
    const published: FileUpdate[] = [];
    const files = new WindowFiles('/tmp/x', 100, (u) => published.push(u));
    const answers = Array.from({ length: 9 }, () => files.confirmReceive({ name: 'a', size: 1 }, new AbortController().signal));
    expect(await answers[8]).toBe(false);
    published.length = 0;
    files.replay();
    expect(published).toHaveLength(8);
  });
});

describe('the terminal\'s file commands', () => {
  test('offers and requests are answered by number; a command never reaches the chat', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => { printed += c.toString(); });
    const files = terminalFiles({ output, t: messagesFor('es'), language: 'es', downloadsFolder: '/tmp', maxFileBytes: 10, technicianName: () => 'Ana' });
    const offer = files.confirmReceive({ name: 'informe\u001b[31m.pdf', size: 1500 }, new AbortController().signal);
    expect(printed).toContain('/aceptar 1');
    expect(printed).not.toContain('\u001b');
    expect(files.command('/aceptar 1')).toBe(true);
    expect(await offer).toBe(true);
    const pick = files.pickFile(new AbortController().signal);
    expect(files.command('/aceptar 2')).toBe(true); // the wrong answer for a request: refused, the question stays
    expect(files.command('/enviar 2 /home/ana/registro.log')).toBe(true);
    expect(await pick).toBe('/home/ana/registro.log');
    expect(files.command('/rechazar 9')).toBe(true);
    expect(printed).toContain('no hay ninguna transferencia');
    expect(files.command('hola')).toBe(false);
    const cancelled: number[] = [];
    files.bindCancel((id) => { cancelled.push(id); return id === 4; });
    expect(files.command('/cancelar 4')).toBe(true);
    expect(files.command('/cancel 5')).toBe(true);
    expect(cancelled).toEqual([4, 5]);
  });
});

describe('the XDG Downloads folder', () => {
  test.each([
    ['XDG_DOWNLOAD_DIR="$HOME/Descargas"', '/home/ana/Descargas'],
    ['# comment\nXDG_DOWNLOAD_DIR="/srv/descargas"', '/srv/descargas'],
    ['XDG_DOWNLOAD_DIR="$HOME"', undefined],
    ['XDG_DESKTOP_DIR="$HOME/Escritorio"', undefined],
  ])('%j → %j', (text, folder) => {
    expect(xdgDownloadDir(text, '/home/ana')).toBe(folder);
  });
});
