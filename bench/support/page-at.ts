/**
 * A technician page built from an earlier commit, for the e2e benchmark's page in clear:
 * the page of protocol 1 cannot seal, so it pairs with today's agent in clear (PROTOCOL.md
 * §12.7), and what sealing costs the real page is today's page against it. The commit's
 * technician/, common/ and protocol/ are taken with `git archive` into a temporary folder
 * and bundled as esbuild.config.mjs bundles the page (the same esbuild, targets and static
 * files), with this tree's node_modules.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const REPO = join(__dirname, '..', '..');

/**
 * The last commit whose page speaks protocol 1 (2428996, its child, made the page say
 * version 2; the page learned to seal in 6bcc700): the technician page as it was before
 * issue 11, typed the six routing digits.
 */
export const LAST_PROTOCOL_1_PAGE = '30e2557';

export interface BuiltPage {
  /** The folder to serve (the relay's staticDir): index.html, index.js, styles. */
  readonly dir: string;
  /** The commit it was built from, as git names it. */
  readonly commit: string;
  remove(): void;
}

export async function buildPageAt(rev: string): Promise<BuiltPage> {
  const commit = execFileSync('git', ['rev-parse', '--short', `${rev}^{commit}`], { cwd: REPO, encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), 'rs-bench-page-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', commit, 'technician', 'common', 'protocol'], { cwd: REPO, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    const out = join(root, 'dist');
    cpSync(join(root, 'technician', 'app'), out, { recursive: true, filter: (p) => !p.endsWith('.ts') });
    if (existsSync(join(root, 'common', 'brand.css'))) cpSync(join(root, 'common', 'brand.css'), join(out, 'brand.css'));
    await build({
      entryPoints: [join(root, 'technician', 'app', 'index.ts')],
      outfile: join(out, 'index.js'),
      bundle: true, sourcemap: false, logLevel: 'warning',
      platform: 'browser', target: ['chrome110', 'firefox115'], format: 'iife',
      nodePaths: [join(REPO, 'node_modules')],
    });
    return { dir: out, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
