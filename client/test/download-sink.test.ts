import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDownload } from '../files/download-sink';
import { MAX_SAFE_NAME_BYTES, safeFileName } from '../files/safe-file-name';

describe('safeFileName', () => {
  test.each([
    ['../../x', 'x'],
    ['..\\..\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['/etc/passwd', 'passwd'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['LPT1.log', '_LPT1.log'],
    ['nul', '_nul'],
    ['.bashrc', 'bashrc'],
    ['..', 'archivo'],
    ['', 'archivo'],
    ['   ', 'archivo'],
    ['a<b>c:d"e|f?g*h', 'a_b_c_d_e_f_g_h'],
    ['line\nbreak\u0000.txt', 'line_break_.txt'],
    ['factura\u202Efdp.exe', 'factura_fdp.exe'],
    ['informe año.pdf', 'informe año.pdf'],
    ['trailing. . ', 'trailing'],
  ])('%j → %j', (hostile, safe) => {
    expect(safeFileName(hostile)).toBe(safe);
  });

  test('a very long name is cut on a character boundary, keeping its extension', () => {
    const name = safeFileName(`${'ñ'.repeat(300)}.tar.gz`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
    expect(name.endsWith('ñ.gz')).toBe(true);
  });
});

describe('openDownload', () => {
  let folder: string;
  beforeEach(async () => {
    folder = path.join(await mkdtemp(path.join(os.tmpdir(), 'downloads-')), 'Descargas');
  });
  afterEach(async () => {
    await rm(path.dirname(folder), { recursive: true, force: true });
  });

  test('creates the folder, writes a private hidden part file, and keeps it under the safe name', async () => {
    const sink = await openDownload(folder, '../../../secreto.txt');
    await sink.write(new TextEncoder().encode('hola '));
    await sink.write(new TextEncoder().encode('mundo'));
    const [part] = await readdir(folder);
    expect(part).toMatch(/^\.secreto\.txt\.[0-9a-f]{12}\.part$/);
    expect((await stat(path.join(folder, part!))).mode & 0o777).toBe(0o600);
    expect(await sink.commit()).toBe('secreto.txt');
    expect(await readdir(folder)).toEqual(['secreto.txt']);
    expect(await readFile(path.join(folder, 'secreto.txt'), 'utf8')).toBe('hola mundo');
    expect(await readdir(path.dirname(folder))).toEqual(['Descargas']);
  });

  test('never overwrites: a taken name gets a number', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'a.txt'), 'mine');
    await writeFile(path.join(folder, 'a (1).txt'), 'mine too');
    const sink = await openDownload(folder, 'a.txt');
    await sink.write(new Uint8Array([1]));
    expect(await sink.commit()).toBe('a (2).txt');
    expect(await readFile(path.join(folder, 'a.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(folder, 'a (1).txt'), 'utf8')).toBe('mine too');
  });

  test('discard leaves nothing behind', async () => {
    const sink = await openDownload(folder, 'x.bin');
    await sink.write(new Uint8Array(1000));
    await sink.discard();
    expect(await readdir(folder)).toEqual([]);
  });
});
