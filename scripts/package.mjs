// Builds the customer's download for Linux x64 (issue 12): one archive that unpacks to a
// folder with the executable `CompuEasys-Soporte` (a Node single executable application:
// the window's agent bundled by esbuild and injected into a copy of this Node with
// postject), the native modules beside it, the window's page, the capture worker and
// SHA256SUMS. Running it opens the customer's window in the browser, pointed at the relay
// given with --relay.
//
//   node scripts/package.mjs linux --relay wss://soporte.example.com/ws [--out dist/package]
//
// Windows (`package:win`) is not built yet: see the README.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import postject from 'postject';
import { nodeExternals } from './node-externals.mjs';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const EXE = 'CompuEasys-Soporte';
/** The fuse Node looks for to know a blob was injected (Node's documentation, "Single executable applications"). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { relay: { type: 'string' }, out: { type: 'string', default: join(ROOT, 'dist', 'package') } },
});
const platform = positionals[0];
if (platform !== 'linux') fail(`usage: node scripts/package.mjs linux --relay <ws(s)://…/ws> [--out <dir>] (got platform ${platform ?? 'none'}; Windows is not built yet)`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail('the Linux package is built on Linux x64 (it copies this Node and these native modules)');
const relay = values.relay ?? fail('--relay <ws(s)://host/ws> is required: the package talks to that relay');
if (!/^wss?:\/\/[^\s]+$/.test(relay)) fail(`--relay must be a ws:// or wss:// address, got ${relay}`);

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(2);
}

const out = resolve(values.out);
const name = `${EXE}-linux-x64`;
const stage = join(out, name);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. The pages and the worker as `npm run build` makes them.
execFileSync(process.execPath, [join(ROOT, 'esbuild.config.mjs')], { cwd: ROOT, stdio: 'inherit' });

// 2. The executable's script. A single executable application's main script can require
// Node's own modules only, so the bundle's `require` of packages is pointed at the
// node_modules folder beside the executable.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const external = nodeExternals(join(ROOT, 'package.json'));
const seaMain = join(out, `${name}.sea-main.js`);
await build({
  entryPoints: [join(ROOT, 'client', 'package', 'main.ts')],
  outfile: seaMain,
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', external,
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
const seaConfig = join(out, `${name}.sea-config.json`);
const blob = join(out, `${name}.sea-prep.blob`);
writeFileSync(seaConfig, JSON.stringify({ main: seaMain, output: blob, disableExperimentalSEAWarning: true }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
const exe = join(stage, EXE);
cpSync(process.execPath, exe);
chmodSync(exe, 0o755);
await postject.inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
for (const f of [seaMain, seaConfig, blob]) rmSync(f, { force: true });

// 3. Beside it: the capture worker (a Worker needs a file), the window's page, and the
// production packages with their native parts, as installed here.
cpSync(join(ROOT, 'dist', 'client', 'capture-worker.js'), join(stage, 'capture-worker.js'));
cpSync(join(ROOT, 'dist', 'client-app'), join(stage, 'client-app'), { recursive: true });
writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'compueasys-soporte', private: true, version: pkg.version }, null, 2));
const installed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  .split('\n').map((l) => l.trim()).filter((l) => l.startsWith(join(ROOT, 'node_modules')));
for (const dir of installed) cpSync(dir, join(stage, relative(ROOT, dir)), { recursive: true, dereference: true });

// 4. SHA256SUMS of every file, then one archive.
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
};
walk(stage);
const sums = files.sort().map((f) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${relative(stage, f)}`);
writeFileSync(join(stage, 'SHA256SUMS'), `${sums.join('\n')}\n`);
const archive = join(out, `${name}.tar.gz`);
execFileSync('tar', ['-czf', archive, '-C', out, basename(stage)]);
// tar's failure throws above; the archive's path is the one line on standard output.
process.stdout.write(`${archive}\n`);
