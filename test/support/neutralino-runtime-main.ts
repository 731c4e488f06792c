/**
 * A stand-in for the Neutralino runtime's *binary*, for the package test: the real one
 * cannot be downloaded on these machines. Started as the package's program starts the
 * runtime (`--res-mode=directory --path=<folder>`), it does what that runtime does with
 * the package's folder, using the in-process stand-in (test/window/neutralino-stand-in.ts):
 *
 * - reads `<folder>/neutralino.config.json` and serves its documentRoot with the globals;
 * - starts each extension's command (with ${NL_PATH} filled in) through the shell and
 *   writes the handshake on its standard input;
 * - shows "the window": it prints the page's address on a line
 *   `NEUTRALINO-STAND-IN-WINDOW <url>` for the test's Chromium to open;
 * - when the window goes (the page closes or calls app.exit), closes its sockets, waits
 *   for the extensions to exit and exits with the first non-zero code among them (the real
 *   runtime does not wait: waiting lets the test see that the agent ended cleanly).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NeutralinoRuntimeStandIn } from '../window/neutralino-stand-in';

interface Config {
  readonly documentRoot: string;
  readonly nativeAllowList: readonly string[];
  readonly extensions: readonly { readonly id: string; readonly command: string }[];
}

async function main(): Promise<void> {
  const path = process.argv.find((a) => a.startsWith('--path='))?.slice('--path='.length);
  if (path === undefined || !process.argv.includes('--res-mode=directory')) throw new Error(`expected --res-mode=directory --path=<folder>, got ${process.argv.slice(2).join(' ')}`);
  const config = JSON.parse(readFileSync(join(path, 'neutralino.config.json'), 'utf8')) as Config;
  const children: ChildProcess[] = [];
  let gone = false;
  const runtime = await NeutralinoRuntimeStandIn.start({
    documentRoot: join(path, config.documentRoot),
    nativeAllowList: config.nativeAllowList,
    extensionIds: config.extensions.map((e) => e.id),
    onWindowGone: () => {
      if (gone) return;
      gone = true;
      void runtime.close().then(async () => {
        const codes = await Promise.all(children.map((c) => (c.exitCode !== null ? c.exitCode : new Promise<number>((done) => c.once('exit', (code) => done(code ?? 1))))));
        process.exit(codes.find((code) => code !== 0) ?? 0);
      });
    },
  });
  for (const extension of config.extensions) {
    const command = extension.command.replace(/\$\{NL_PATH\}/g, path);
    const child = spawn(command, { shell: true, cwd: path, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin!.end(`${JSON.stringify(runtime.handshake(extension.id))}\n`);
    children.push(child);
  }
  process.stdout.write(`NEUTRALINO-STAND-IN-WINDOW ${runtime.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`neutralino stand-in: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(70);
});
