import { spawnSync } from 'node:child_process';

/**
 * Whether a system tool is installed. Outside CI a missing tool skips its suite with a
 * loud line naming the Debian package; with CI=true it fails instead (no silent skips).
 */
export function requireTool(command: string, debianPackage: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  const line = `MISSING SYSTEM TOOL: '${command}' not found; install it with: apt-get install ${debianPackage} (or run bash scripts/setup.sh)`;
  if (process.env.CI === 'true') throw new Error(line);
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPING: ${line} ***\n`);
  return false;
}
