import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TRAY_ICON } from '../../client/app/neutralino-host';
import { NEUTRALINO_EXTENSION_ID } from '../../client/contract/ui-events';
import { WINDOW_TITLES } from '../../client/contract/window-title';

/**
 * neutralino.config.json against the build (`npm run build` first): the Neutralino
 * runtime cannot be downloaded here, so this checks what it would read. Paths in the
 * config are from the app's root (NL_PATH: the project folder under `neu run`, the
 * folder of the binary in a `neu build` package).
 */
const ROOT = join(__dirname, '../..');
const configText = readFileSync(join(ROOT, 'neutralino.config.json'), 'utf8');
const fromRoot = (p: string): string => join(ROOT, p.replace(/^\//, ''));

interface NeutralinoConfig {
  applicationId: string;
  version: string;
  documentRoot: string;
  url: string;
  enableServer: boolean;
  enableNativeAPI: boolean;
  enableExtensions: boolean;
  tokenSecurity: string;
  nativeAllowList: string[];
  nativeBlockList?: string[];
  modes: { window: { title: string; icon: string; width: number; height: number; resizable: boolean; exitProcessOnClose: boolean } };
  extensions: { id: string; command: string }[];
  cli: { binaryName: string; resourcesPath: string; extensionsPath: string; clientLibrary: string; distributionPath: string; copyItems: string[]; binaryVersion: string; clientVersion: string };
}

describe('neutralino.config.json', () => {
  let config: NeutralinoConfig;

  test('is valid JSON with the keys the runtime needs', () => {
    config = JSON.parse(configText) as NeutralinoConfig;
    expect(config.applicationId).toMatch(/^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+)*$/);
    expect(config.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(config).toMatchObject({ enableServer: true, enableNativeAPI: true, enableExtensions: true, tokenSecurity: 'one-time', url: '/' });
    // With nativeBlockList present at all the allow list would be ignored.
    expect(config).not.toHaveProperty('nativeBlockList');
  });

  test('its extension command points at the file the build produces, and runs through /bin/sh as the runtime runs it', () => {
    config = JSON.parse(configText) as NeutralinoConfig;
    expect(config.extensions).toHaveLength(1);
    const [ext] = config.extensions;
    expect(ext!.id).toBe(NEUTRALINO_EXTENSION_ID);
    expect(ext!.id).toMatch(/^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+)*$/);
    const file = /\$\{NL_PATH\}(\/[^"\s]+)/.exec(ext!.command)?.[1];
    expect(file).toBe('/dist/client/extension.js');
    expect(statSync(fromRoot(file!)).isFile()).toBe(true);
    // The runtime replaces ${NL_PATH} and hands the command to /bin/sh -c.
    const command = ext!.command.replace(/\$\{NL_PATH\}/g, ROOT);
    const run = spawnSync('/bin/sh', ['-c', `${command} --help`], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--relay');
  });

  test('its resource paths exist after the build: documentRoot with the page, icons, the client library, the extensions folder', () => {
    config = JSON.parse(configText) as NeutralinoConfig;
    expect(config.documentRoot).toMatch(/^\/.*\/$/);
    const documentRoot = fromRoot(config.documentRoot);
    expect(existsSync(join(documentRoot, 'index.html'))).toBe(true);
    expect(config.cli.resourcesPath).toBe(config.documentRoot);

    // The page's own references resolve inside documentRoot (the runtime puts documentRoot in front of every path).
    const html = readFileSync(join(documentRoot, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(expect.arrayContaining(['neutralino.js', 'index.js', 'styles.css', 'icon.png']));
    for (const ref of refs) expect(existsSync(join(documentRoot, ref))).toBe(true);

    // neutralino.js of @neutralinojs/lib, where the page loads it and where the config says it is.
    expect(fromRoot(config.cli.clientLibrary)).toBe(join(documentRoot, 'neutralino.js'));
    const lib = readFileSync(join(ROOT, 'node_modules/@neutralinojs/lib/dist/neutralino.js'));
    expect(readFileSync(fromRoot(config.cli.clientLibrary)).equals(lib)).toBe(true);
    const libVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/@neutralinojs/lib/package.json'), 'utf8')).version;
    expect(config.cli.clientVersion).toBe(libVersion);

    // Window and tray icons: PNG files of the resources.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    for (const icon of [config.modes.window.icon, TRAY_ICON]) {
      expect(icon.startsWith(config.cli.resourcesPath)).toBe(true);
      expect(readFileSync(fromRoot(icon)).subarray(0, 4).equals(png)).toBe(true);
    }
    expect(existsSync(join(fromRoot(config.cli.extensionsPath), 'extension.js'))).toBe(true);
    for (const item of config.cli.copyItems) expect(existsSync(fromRoot(item))).toBe(true);
    // `neu build` writes its package beside, not into, esbuild's dist/.
    expect(config.cli.distributionPath).not.toMatch(/^\/?dist\b/);
  });

  test('a small fixed-size window with the app name, and the native calls the page and the extension make are allowed (and no more)', () => {
    config = JSON.parse(configText) as NeutralinoConfig;
    expect(config.modes.window).toMatchObject({ title: 'CompuEasys Soporte Remoto', resizable: false, exitProcessOnClose: true });
    // The agent finds the window by this title to ask for attention, before the page may have set its own.
    expect(config.modes.window.title).toBe(WINDOW_TITLES.es);
    expect(config.modes.window.width).toBeLessThanOrEqual(480);
    expect(config.modes.window.height).toBeLessThanOrEqual(640);
    // Used by the page (client/app) and the extension (client/window/neutralino-extension.ts).
    expect(config.nativeAllowList).toEqual(expect.arrayContaining([
      'app.broadcast', 'extensions.dispatch', 'extensions.getStats', 'os.setTray', 'app.exit', 'window.setTitle',
    ]));
    // Nothing that runs programs or touches files.
    expect(config.nativeAllowList.some((m) => /^(os\.(exec|spawn)|filesystem\.|os\.\*|\*)/.test(m))).toBe(false);
  });
});
