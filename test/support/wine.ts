import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasDesktopTools } from './desktop';
import { requireTool } from './require-tool';
import type { XvfbDisplay } from './xvfb';

const STAND_IN_SOURCE = join(__dirname, 'wine', 'bcryptprimitives.c');

/** Every tool the Wine smoke test needs besides the desktop's (loud skip outside CI, failure under CI=true). */
export function hasWineTools(): boolean {
  return [hasDesktopTools(), requireTool('wine', 'wine wine64'), requireTool('x86_64-w64-mingw32-gcc', 'gcc-mingw-w64-x86-64-win32'),
    requireTool('xclip', 'xclip'), requireTool('zip', 'zip'), requireTool('unzip', 'unzip'), requireTool('xdotool', 'xdotool')].every(Boolean);
}

export function describeWithWine(name: string, fn: () => void): void {
  (hasWineTools() ? describe : describe.skip)(name, fn);
}

/**
 * A fresh Wine prefix on an Xvfb display, set up as the Windows the package is for:
 *
 * - Windows 10: Wine reports Windows 7 by default, and Node refuses anything before 8.1;
 * - no blinking caret (CursorBlinkRate -1), or a text field keeps the screen changing;
 * - a stand-in bcryptprimitives.dll (ProcessPrng, built here with MinGW): Wine 8 lacks it
 *   and sharp's libvips imports it. Real Windows has it; the package never ships it.
 *
 * Programs run from it share Wine's default desktop (one wineserver), as the customer's
 * program and Notepad do on a real Windows desktop.
 */
export class WinePrefix {
  private constructor(readonly dir: string, private readonly display: XvfbDisplay) {}

  static async create(display: XvfbDisplay): Promise<WinePrefix> {
    const prefix = new WinePrefix(mkdtempSync(join(tmpdir(), 'rs-wine-')), display);
    const env = prefix.env();
    try {
      // One wineserver for the prefix's whole life. Left to itself, each wine command
      // starts a server that exits a few seconds after its last client; a command that
      // starts while that server is going away failed (CI, stop 20: `wine reg add`
      // right after wineboot, no output). `close` ends it with `wineserver -k`.
      await runWine('wineserver', ['-p'], env, 30_000);
      await runWine('wineboot', ['-i'], env, 120_000);
      await runWine('wine', ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'], env, 30_000);
      await runWine('wine', ['reg', 'add', 'HKCU\\Control Panel\\Desktop', '/v', 'CursorBlinkRate', '/d', '-1', '/f'], env, 30_000);
      await runWine('x86_64-w64-mingw32-gcc', ['-shared', '-O2', '-o', join(prefix.dir, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll'),
        STAND_IN_SOURCE, '-ladvapi32'], env, 60_000);
    } catch (error) {
      await prefix.close();
      throw error;
    }
    return prefix;
  }

  /**
   * Makes "the default browser" of this Windows a recorder: .html files open through
   * Wine's winebrowser (as a Windows with a browser opens them through its association),
   * and winebrowser hands the file's URL to a script that appends it to `file`. The test
   * then opens that URL in its own Chromium, as the customer's browser would.
   */
  async recordBrowserOpens(file: string): Promise<void> {
    const script = join(this.dir, 'record-browser-open.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file}'\n`, { mode: 0o755 });
    writeFileSync(file, '');
    const env = this.env();
    await runWine('wine', ['reg', 'add', 'HKCR\\.html', '/ve', '/d', 'htmlfile', '/f'], env, 30_000);
    await runWine('wine', ['reg', 'add', 'HKCU\\Software\\Wine\\WineBrowser', '/v', 'Browsers', '/d', script, '/f'], env, 30_000);
  }

  /**
   * The environment of every Wine command: this prefix, this display, no debug chatter,
   * and no offer to download Mono or Gecko (a dialog that would wait forever).
   */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...this.display.env(), WINEPREFIX: this.dir, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
  }

  /**
   * Starts a Windows program. Its standard output and error go to files: node.exe under
   * Wine fails with EBADF writing to a pipe. The child is the `wine` launcher, which exits
   * with the program's exit code.
   */
  start(program: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; outputFile?: string } = {}): ChildProcess {
    const outputFile = options.outputFile;
    const fd = outputFile === undefined ? 'ignore' : openSync(outputFile, 'a');
    const child = spawn('wine', [program, ...args], { cwd: options.cwd, env: this.env(options.env), stdio: ['ignore', fd, fd] });
    if (typeof fd === 'number') closeSync(fd);
    return child;
  }

  /** Ends every Wine process of this prefix and removes it. */
  async close(): Promise<void> {
    await runWine('wineserver', ['-k'], this.env(), 30_000).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs a setup command of the prefix and waits for it to exit. Its output goes to a file,
 * not a pipe: what it starts (the prefix's wineserver, services.exe, explorer.exe) keeps
 * the streams it was given for the prefix's whole life, and a pipe would stay open with
 * them. When it fails, the error says how it ended and everything it printed (`reg`
 * reports on standard output).
 */
function runWine(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const outputFile = join(tmpdir(), `rs-wine-setup-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
  const fd = openSync(outputFile, 'w');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (failure: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const output = readFileSync(outputFile, 'utf8');
      rmSync(outputFile, { force: true });
      if (failure === undefined) resolve();
      else reject(new Error(`${command} ${args.join(' ')} ${failure}:\n${output}`));
    };
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.once('error', (error) => finish(`could not start (${error.message})`));
    child.once('exit', (code, signal) => finish(code === 0 ? undefined : `failed (exit ${code}, signal ${signal}${signal === 'SIGKILL' ? `, after ${timeoutMs} ms` : ''})`));
  });
}

/**
 * Resolves with the first match of `pattern` in a file another process writes, as it
 * grows (fs.watch, plus a check at the start); fails after `timeoutMs`, or at once when
 * `exited` settles first, with the file's text.
 */
export function untilFileMatches(file: string, pattern: RegExp, timeoutMs: number, exited?: Promise<unknown>): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const read = (): string => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
    const watcher = watch(file, () => check());
    const finish = (error: Error | undefined, match?: RegExpExecArray): void => {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve(match!);
    };
    const check = (): void => {
      const match = pattern.exec(read());
      if (match) finish(undefined, match);
    };
    const timer = setTimeout(() => finish(new Error(`${pattern} did not appear in ${file} within ${timeoutMs} ms:\n${read()}`)), timeoutMs);
    void exited?.then(() => finish(new Error(`the program exited before ${pattern} appeared:\n${read()}`)));
    check();
  });
}
