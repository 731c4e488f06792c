import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELAY_SETTINGS } from '../../relay/cli-options';
import { DEFAULT_RELAY_OPTIONS } from '../../relay/options';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const ciRun = readFileSync(join(__dirname, '../../.ci/run'), 'utf8');

describe('README', () => {
  test.each(RELAY_SETTINGS.map((s) => [s.env, s] as const))('documents %s with its flag and default', (_env, s) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${s.env}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`\`--${s.flag}\``);
    const def = s.key === 'logLevel' ? 'info' : DEFAULT_RELAY_OPTIONS[s.key];
    const unset = def === undefined || (Array.isArray(def) && def.length === 0);
    expect(row).toContain(unset ? 'unset' : `\`${String(def)}\``);
  });

  test('.ci/run runs exactly the quick start test command', () => {
    const command = readme.match(/^(bash scripts\/setup\.sh && npm test)\s+#/m)?.[1];
    expect(command).toBeDefined();
    expect(ciRun.trim().split('\n').pop()).toBe(command);
  });
});
