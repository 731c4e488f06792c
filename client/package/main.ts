/**
 * The entry point of the customer's download (`npm run package:win`, `package:linux`).
 * One program plays three parts:
 *
 * - started by the customer (a double-click) with the Neutralino runtime beside it: it
 *   starts the runtime on the package's folder and ends with it;
 * - started by that runtime as its extension (`--neutralino-extension`, the command in the
 *   package's neutralino.config.json): the agent behind the window;
 * - without the runtime: the window in the default browser (client/window/main.ts).
 *
 * A double-click gives no command line, so the relay comes from the build (`--relay` of
 * scripts/package.mjs, baked in as PACKAGED_RELAY_URL); `--relay` on the command line wins.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXTENSION_FLAG, runtimeFileName } from './package-layout';

declare const PACKAGED_RELAY_URL: string;

const folder = dirname(process.execPath);
const args = process.argv.slice(2);
if (!args.some((a) => a === '--relay' || a.startsWith('--relay='))) process.argv.splice(2, 0, '--relay', PACKAGED_RELAY_URL);
const runtimeFile = runtimeFileName(process.platform);
const runtime = runtimeFile === undefined ? undefined : join(folder, runtimeFile);

if (args.includes(EXTENSION_FLAG)) {
  process.argv.splice(process.argv.indexOf(EXTENSION_FLAG), 1);
  // After the arguments are in place: the extension's main reads them as it loads.
  require('../extension/main');
} else if (runtime !== undefined && existsSync(runtime) && !args.includes('--browser')) {
  // The runtime reads neutralino.config.json and the page from this folder, and starts
  // this program again as its extension; closing the window ends the runtime, then this.
  const child = spawn(runtime, ['--res-mode=directory', `--path=${folder}`], { cwd: folder, stdio: 'inherit' });
  child.once('error', (err) => {
    process.stderr.write(`CompuEasys Soporte: the window could not start (${err.message}); run with --browser\n`);
    process.exit(1);
  });
  child.once('exit', (code) => process.exit(code ?? 1));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
} else {
  if (args.includes('--browser')) process.argv.splice(process.argv.indexOf('--browser'), 1);
  require('../window/main');
}
