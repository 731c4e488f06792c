import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * Keeps the layering rules of docs/ARCHITECTURE.md ("What may import what") true:
 *
 * 1. protocol/ and the portable part of common/ (everything but common/node/), and the
 *    page↔agent contract client/contract/, import only relative paths inside their own
 *    layers and use none of the host globals `Buffer`, `process`, `window`, `document`, so
 *    they run in Node and in the browser alike. protocol/ imports only itself; common/
 *    imports protocol/ and itself; client/contract/ imports protocol/, portable common/
 *    and itself.
 * 2. relay/, client/ and technician/ never import each other (they may import protocol/
 *    and common/). common/ imports none of them.
 * 3. What runs in a browser (technician/, client/app/) imports nothing that runs only in
 *    Node: no `node:*` module, no package but the browser ones listed, nothing from
 *    common/node/; client/app/ imports from client/ only client/app/ and client/contract/.
 * 4. The native packages are imported only from files named `*-adapter.ts` (tests may load
 *    them directly).
 * 5. Only an entry point (`main.ts`) reads `process.env` or `process.argv`.
 * 6. The relay never holds a key: relay/ imports nothing of the sealing code (common/e2e/,
 *    common/node/node-aead.ts). common/e2e/ is portable and may import, besides protocol/
 *    and common/, only the audited pure-JavaScript @noble/curves and @noble/hashes.
 *
 * Files are parsed with the TypeScript compiler, so imports inside comments or strings do
 * not count and nothing that is a real import is missed. `import type` counts like any import.
 */

const ROOT = join(__dirname, '..', '..');
const SCANNED_TOP_FOLDERS: readonly string[] = ['protocol', 'common', 'relay', 'client', 'technician'];
const APP_FOLDERS: readonly string[] = ['relay', 'client', 'technician'];

/**
 * The portable layers (rule 1) and what each may import, as path prefixes. A file is in
 * the first layer whose prefix it starts with.
 */
const PORTABLE_LAYERS: readonly { readonly prefix: string; readonly mayImport: readonly string[]; readonly packages?: readonly string[] }[] = [
  { prefix: 'protocol/', mayImport: ['protocol/'] },
  { prefix: 'common/node/', mayImport: [] }, // not portable: Node only (listed so it is not taken as common/)
  { prefix: 'common/e2e/', mayImport: ['protocol/', 'common/'], packages: ['@noble/curves', '@noble/hashes'] },
  { prefix: 'common/', mayImport: ['protocol/', 'common/'] },
  { prefix: 'client/contract/', mayImport: ['protocol/', 'common/', 'client/contract/'] },
];

/**
 * Browser code (rule 3) and the project folders it may import from, and the packages made
 * for browsers it may bundle (fix-webm-duration: the length written into a recording;
 * chart.js: the admins' statistics charts; fflate: inflating deflated-RGB rectangles).
 */
const BROWSER_LAYERS: readonly { readonly prefix: string; readonly mayImport: readonly string[]; readonly packages?: readonly string[] }[] = [
  { prefix: 'technician/', mayImport: ['protocol/', 'common/', 'technician/'], packages: ['fix-webm-duration', 'chart.js', 'fflate'] },
  { prefix: 'client/app/', mayImport: ['protocol/', 'common/', 'client/app/', 'client/contract/'] },
];
const NATIVE_PACKAGES: readonly string[] = ['@nut-tree-fork/nut-js', 'screenshot-desktop', 'sharp', 'koffi'];
/** The sealing code, which only the two peers may hold (rule 6). */
const SEALING_CODE: readonly string[] = ['common/e2e/', 'common/node/node-aead'];
const HOST_GLOBALS: readonly string[] = ['Buffer', 'process', 'window', 'document'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

export interface Violation {
  readonly file: string;
  readonly line: number;
  /** The import specifier, or the identifier / expression that broke a rule. */
  readonly specifier: string;
  readonly rule: string;
}

interface Found {
  readonly text: string;
  readonly line: number;
}

/** A test file: inside a `test/` folder or named `*.test.ts` / `*.spec.ts`. */
export function isTestFile(file: string): boolean {
  return /(^|\/)(test|tests|__tests__)\//.test(file) || /\.(test|spec)\.ts$/.test(file);
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function isIdentifierNamed(node: ts.Node, name: string): boolean {
  return ts.isIdentifier(node) && node.text === name;
}

/** Every module specifier: static imports and re-exports, `import x = require()`, `import()`, `require()`. */
export function collectSpecifiers(code: string, fileName = 'sample.ts'): Found[] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Found[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node !== undefined && ts.isStringLiteralLike(node)) found.push({ text: node.text, line: lineOf(source, node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || isIdentifierNamed(callee, 'require')
        || (ts.isPropertyAccessExpression(callee) && isIdentifierNamed(callee.expression, 'require') && callee.name.text === 'resolve')) {
        const arg = node.arguments[0];
        if (arg !== undefined && ts.isStringLiteralLike(arg)) add(arg);
        else if (arg !== undefined) found.push({ text: `<computed: ${arg.getText(source)}>`, line: lineOf(source, arg) });
      }
    } else if (ts.isImportTypeNode(node)) {
      // `typeof import('x')` in a type position.
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Is this identifier a use of a global (not a property name, a member access or a declaration name)? */
function isGlobalReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (parent === undefined) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) {
    // `globalThis.Buffer` is still the global.
    const target = parent.expression;
    return ts.isIdentifier(target) && ['globalThis', 'self', 'global'].includes(target.text);
  }
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent)
    || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent)
    || ts.isSetAccessor(parent) || ts.isEnumMember(parent) || ts.isBindingElement(parent)) && parent.name === node) {
    return false; // a member name or a local binding of that name, not the global
  }
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent)
    || ts.isClassDeclaration(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeAliasDeclaration(parent)
    || ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)
    || ts.isLabeledStatement(parent)) && (parent as { name?: ts.Node }).name === node) {
    return false;
  }
  if (ts.isImportSpecifier(parent) && parent.propertyName === node) return false;
  if (ts.isExportSpecifier(parent)) return false;
  return true;
}

/** Uses of the host globals `Buffer`, `process`, `window`, `document`. */
export function collectHostGlobals(code: string, fileName = 'sample.ts'): Found[] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Found[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && HOST_GLOBALS.includes(node.text) && isGlobalReference(node)) {
      found.push({ text: node.text, line: lineOf(source, node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isProcessObject(node: ts.Expression): boolean {
  if (isIdentifierNamed(node, 'process')) return true;
  return ts.isPropertyAccessExpression(node) && node.name.text === 'process'
    && ts.isIdentifier(node.expression) && ['globalThis', 'global'].includes(node.expression.text);
}

/** Reads of `process.env` / `process.argv`: member access, element access or destructuring. */
export function collectProcessReads(code: string, fileName = 'sample.ts'): Found[] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Found[] = [];
  const watched = ['env', 'argv'];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isProcessObject(node.expression) && watched.includes(node.name.text)) {
      found.push({ text: `process.${node.name.text}`, line: lineOf(source, node) });
    } else if (ts.isElementAccessExpression(node) && isProcessObject(node.expression)
      && ts.isStringLiteralLike(node.argumentExpression) && watched.includes(node.argumentExpression.text)) {
      found.push({ text: `process['${node.argumentExpression.text}']`, line: lineOf(source, node) });
    } else if (ts.isVariableDeclaration(node) && node.initializer !== undefined && isProcessObject(node.initializer)
      && ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (ts.isIdentifier(key) && watched.includes(key.text)) found.push({ text: `{ ${key.text} } = process`, line: lineOf(source, element) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function topFolder(file: string): string {
  return file.split('/')[0] ?? '';
}

/** Is `path` the folder `prefix` (given with its trailing slash) or inside it? */
function within(path: string, prefix: string): boolean {
  return path === prefix.slice(0, -1) || path.startsWith(prefix);
}

function layerOf<L extends { readonly prefix: string }>(file: string, layers: readonly L[]): L | undefined {
  return layers.find((l) => file.startsWith(l.prefix));
}

function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
}

/**
 * Checks one file against every rule. `file` is the path from the project root with `/`
 * separators (for example `relay/hub.ts`); `code` is its source text.
 */
export function checkFile(file: string, code: string): Violation[] {
  const violations: Violation[] = [];
  const top = topFolder(file);
  const test = isTestFile(file);
  const base = posix.basename(file);
  const portable = test ? undefined : layerOf(file, PORTABLE_LAYERS);
  const portableRules = portable !== undefined && portable.prefix !== 'common/node/' ? portable : undefined;
  const browser = test ? undefined : layerOf(file, BROWSER_LAYERS);
  const push = (found: Found, rule: string): void => {
    violations.push({ file, line: found.line, specifier: found.text, rule });
  };

  for (const found of collectSpecifiers(code, file)) {
    const spec = found.text;
    if (spec.startsWith('<computed:')) {
      push(found, 'import/require with a computed specifier cannot be checked; use a string literal');
      continue;
    }
    const resolved = isRelative(spec) ? posix.normalize(posix.join(posix.dirname(file), spec)) : undefined;
    const resolvedTop = resolved === undefined ? undefined : topFolder(resolved);

    // One report per specifier: the first rule it breaks.
    const rule = ((): string | undefined => {
      if (portableRules !== undefined) {
        const layer = portableRules.prefix.slice(0, -1);
        if (resolved === undefined && portableRules.packages?.includes(packageName(spec))) return undefined;
        if (resolved === undefined) return `${layer}/ runs in Node and the browser: it may import only relative paths (no packages, no node:*)${portableRules.packages ? ` but ${portableRules.packages.join(', ')}` : ''}`;
        if (!portableRules.mayImport.some((p) => within(resolved, p)) || within(resolved, 'common/node/')) {
          return `${layer}/ may import only ${portableRules.mayImport.join(', ')} (resolves to ${resolved})`;
        }
      }
      if (resolved !== undefined && resolved.startsWith('..')) return `resolves outside the project (${resolved})`;
      if (top === 'relay' && resolved !== undefined && SEALING_CODE.some((p) => resolved === p || within(resolved, p))) {
        return `relay/ may not import the sealing code (${resolved}): the relay never holds a key`;
      }
      if (resolvedTop !== undefined && resolvedTop !== top && APP_FOLDERS.includes(resolvedTop)) {
        return `${top}/ may not import ${resolvedTop}/ (relay, client and technician never import each other)`;
      }
      if (top === 'common' && resolvedTop !== undefined && APP_FOLDERS.includes(resolvedTop)) {
        return `common/ may not import ${resolvedTop}/ (it serves relay, client and technician alike)`;
      }
      if (browser !== undefined) {
        const layer = browser.prefix.slice(0, -1);
        if (resolved === undefined && browser.packages?.includes(packageName(spec))) return undefined;
        if (resolved === undefined) return `${layer}/ runs in a browser: it may not import the package or Node module ${spec}`;
        if (!browser.mayImport.some((p) => within(resolved, p)) || within(resolved, 'common/node/')) {
          return `${layer}/ runs in a browser: it may import only ${browser.mayImport.join(', ')} and never common/node/ (resolves to ${resolved})`;
        }
      }
      if (resolved === undefined && NATIVE_PACKAGES.includes(packageName(spec)) && !test && !base.endsWith('-adapter.ts')) {
        return `native package ${packageName(spec)} may be imported only from a *-adapter.ts file`;
      }
      return undefined;
    })();
    if (rule !== undefined) push(found, rule);
  }

  if (portableRules !== undefined) {
    for (const found of collectHostGlobals(code, file)) {
      push(found, `${portableRules.prefix.slice(0, -1)}/ may not use the host global ${found.text} (use Uint8Array/DataView; inject what the host provides)`);
    }
  }

  if (!test && base !== 'main.ts') {
    for (const found of collectProcessReads(code, file)) {
      push(found, 'only an entry point (main.ts) reads process.env / process.argv; pass options in');
    }
  }
  return violations;
}

/** Every .ts file under the scanned folders, as root-relative paths with `/` separators. */
function listSourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // a folder that does not exist yet has nothing to check
    }
    for (const name of names) {
      if (SKIPPED_DIRS.has(name)) continue;
      const full = join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && name.endsWith('.ts')) out.push(relative(ROOT, full).split(sep).join('/'));
    }
  };
  for (const folder of SCANNED_TOP_FOLDERS) walk(join(ROOT, folder));
  return out.sort();
}

function format(v: Violation): string {
  return `${v.file}:${v.line}: '${v.specifier}': ${v.rule}`;
}

describe('import rules: the scanner itself', () => {
  it('finds every form of import specifier, and none in comments or strings', () => {
    const code = [
      "import a from 'pkg-a';",
      "import type { B } from './b';",
      "import './side-effect';",
      "export { c } from '../c';",
      "export * from './d';",
      "import e = require('pkg-e');",
      "const f = await import('pkg-f');",
      "const g = require('pkg-g');",
      "type H = typeof import('pkg-h');",
      "const i = require.resolve('pkg-i');",
      "// import nope from 'in-a-comment';",
      "/* const x = require('in-a-block-comment'); */",
      "const s = \"import nope from 'in-a-string'\";",
      "const t = `require('in-a-template')`;",
    ].join('\n');
    expect(collectSpecifiers(code).map((f) => f.text)).toEqual(['pkg-a', './b', './side-effect', '../c', './d', 'pkg-e', 'pkg-f', 'pkg-g', 'pkg-h', 'pkg-i']);
  });

  it('detects a cross-folder import and reports the file, line and specifier', () => {
    const violations = checkFile('relay/hub.ts', "import { x } from './ok';\nimport { FrameStreamer } from '../client/stream/frame-streamer';\n");
    expect(violations).toEqual([expect.objectContaining({ file: 'relay/hub.ts', line: 2, specifier: '../client/stream/frame-streamer' })]);
    expect(format(violations[0]!)).toContain("relay/hub.ts:2: '../client/stream/frame-streamer'");
    expect(checkFile('technician/app/index.ts', "const m = import('../../relay/hub');")).toHaveLength(1);
    expect(checkFile('client/test/x.test.ts', "import { Hub } from '../../relay/hub';")).toHaveLength(1);
    expect(checkFile('relay/hub.ts', "import { Errors } from '../protocol';\nimport { x } from './legacy/y';")).toEqual([]);
  });

  it('detects packages, node:* and outside paths in protocol/, and host globals', () => {
    const violations = checkFile('protocol/codec.ts', [
      "import WebSocket from 'ws';",
      "import { readFileSync } from 'node:fs';",
      "import { Hub } from '../relay/hub';",
      "import { ok } from './frame';",
      'const b = Buffer.from([1]);',
      'const w = globalThis.window;',
      'if (typeof document !== "undefined") {}',
      'const n = process.version;',
      'const fine = { process: 1, window: 2 }; fine.process; fine.window;',
      'interface I { document: string }',
    ].join('\n'));
    expect(violations.map((v) => `${v.line}:${v.specifier}`)).toEqual(['1:ws', '2:node:fs', '3:../relay/hub', '5:Buffer', '6:window', '7:document', '8:process']);
    // Tests of protocol/ may use Node and packages.
    expect(checkFile('protocol/test/x.test.ts', "import { readFileSync } from 'node:fs';\nimport sharp from 'sharp';\nBuffer.from([]);")).toEqual([]);
  });

  it('keeps common/ portable (but common/node/) and out of the apps', () => {
    expect(checkFile('common/backoff.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(checkFile('common/backoff.ts', "import { Hub } from '../relay/hub';")).toHaveLength(1);
    expect(checkFile('common/backoff.ts', "import { sendFile } from './node/static-files';")).toHaveLength(1);
    expect(checkFile('common/language.ts', 'const b = Buffer.from([1]);')).toHaveLength(1);
    expect(checkFile('common/language.ts', "import { Errors } from '../protocol';")).toEqual([]);
    expect(checkFile('common/node/static-files.ts', "import { stat } from 'node:fs/promises';\nimport pino from 'pino';\nBuffer.from([]);")).toEqual([]);
    expect(checkFile('common/node/static-files.ts', "import { x } from '../../client/agent';")).toHaveLength(1);
    expect(checkFile('relay/server.ts', "import { sendFile } from '../common/node/static-files';")).toEqual([]);
  });

  it('keeps browser code (technician/, client/app/) free of Node', () => {
    expect(checkFile('client/app/index.ts', "import type { UiState } from '../contract/ui-events';\nimport { pickLanguage } from '../../common/language';")).toEqual([]);
    expect(checkFile('client/app/index.ts', "import type { ConsentAnswer } from '../session/client-session';")).toHaveLength(1);
    expect(checkFile('client/app/index.ts', "import WebSocket from 'ws';")).toHaveLength(1);
    expect(checkFile('client/app/index.ts', "import { sendFile } from '../../common/node/static-files';")).toHaveLength(1);
    expect(checkFile('technician/core/x.ts', "import { randomBytes } from 'node:crypto';")).toHaveLength(1);
    expect(checkFile('technician/app/x.ts', "import { sendFile } from '../../common/node/static-files';")).toHaveLength(1);
    expect(checkFile('client/contract/ui-events.ts', 'const b = Buffer.from([1]);')).toHaveLength(1);
    expect(checkFile('client/contract/ui-events.ts', "import type { Agent } from '../agent';")).toHaveLength(1);
    // The agent side may use the contract and Node alike.
    expect(checkFile('client/window/window-bridge.ts', "import { decodeUiCommand } from '../contract/ui-events';\nimport { stat } from 'node:fs';")).toEqual([]);
  });

  it('allows native packages only in *-adapter.ts files (and tests)', () => {
    expect(checkFile('client/capture/grab.ts', "import { screen } from '@nut-tree-fork/nut-js';")).toHaveLength(1);
    expect(checkFile('client/encode/encoder.ts', "const sharp = require('sharp');")).toHaveLength(1);
    expect(checkFile('relay/thumbs.ts', "import type { Sharp } from 'sharp';")).toHaveLength(1);
    expect(checkFile('client/capture/x.ts', "import shot from 'screenshot-desktop/lib/linux';")).toHaveLength(1);
    expect(checkFile('client/capture/nut-js-screen-adapter.ts', "import { screen } from '@nut-tree-fork/nut-js';")).toEqual([]);
    expect(checkFile('client/encode/sharp-encoder-adapter.ts', "import sharp from 'sharp';")).toEqual([]);
    expect(checkFile('client/test/encode.test.ts', "import sharp from 'sharp';")).toEqual([]);
    expect(checkFile('client/encode/not-sharp.ts', "import x from 'sharpie';")).toEqual([]);
  });

  it('allows process.env / process.argv only in main.ts', () => {
    const code = "const a = process.env.PORT;\nconst b = process.argv[2];\nconst c = process['env'];\nconst { env } = process;\nconst d = globalThis.process.argv;";
    expect(checkFile('relay/options.ts', code).map((v) => v.specifier)).toEqual(['process.env', 'process.argv', "process['env']", '{ env } = process', 'process.argv']);
    expect(checkFile('relay/main.ts', code)).toEqual([]);
    expect(checkFile('relay/test/options.test.ts', code)).toEqual([]);
    expect(checkFile('relay/server.ts', 'process.on("SIGTERM", stop); const e = options.env;')).toEqual([]);
  });

  it('flags computed specifiers, which cannot be checked', () => {
    expect(checkFile('client/loader.ts', 'const m = await import(name);')).toEqual([
      expect.objectContaining({ specifier: '<computed: name>' }),
    ]);
  });
});

describe('import rules: the sealing code', () => {
  it('keeps common/e2e/ portable, with the @noble packages only', () => {
    expect(checkFile('common/e2e/cpace.ts', "import { sha512 } from '@noble/hashes/sha2.js';\nimport { ristretto255 } from '@noble/curves/ed25519.js';\nimport { Errors } from '../../protocol';")).toEqual([]);
    expect(checkFile('common/e2e/cpace.ts', "import { createHash } from 'node:crypto';")).toHaveLength(1);
    expect(checkFile('common/e2e/cpace.ts', "import x from 'tweetnacl';")).toHaveLength(1);
    expect(checkFile('common/e2e/cpace.ts', 'const b = Buffer.from([1]);')).toHaveLength(1);
    expect(checkFile('common/backoff.ts', "import { sha512 } from '@noble/hashes/sha2.js';")).toHaveLength(1);
  });

  it('keeps the relay away from every key', () => {
    expect(checkFile('relay/hub.ts', "import { RecordOpener } from '../common/e2e/record-layer';")).toHaveLength(1);
    expect(checkFile('relay/hub.ts', "import { nodeAead } from '../common/node/node-aead';")).toHaveLength(1);
    expect(checkFile('relay/hub.ts', "import { sendFile } from '../common/node/static-files';")).toEqual([]);
    expect(checkFile('client/session/x.ts', "import { nodeAead } from '../../common/node/node-aead';\nimport { RecordSealer } from '../../common/e2e/record-layer';")).toEqual([]);
    expect(checkFile('technician/core/x.ts', "import { RecordSealer } from '../../common/e2e/record-layer';")).toEqual([]);
    expect(checkFile('technician/core/x.ts', "import { nodeAead } from '../../common/node/node-aead';")).toHaveLength(1);
  });
});

describe('import rules: the project', () => {
  const files = listSourceFiles();

  it('scans the source folders', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files).toContain('protocol/codec.ts');
  });

  it('has no file that breaks a rule', () => {
    const violations = files.flatMap((file) => checkFile(file, readFileSync(join(ROOT, file), 'utf8')));
    // One line per offence: file:line: 'specifier': rule.
    expect(violations.map(format)).toEqual([]);
  });
});
