import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * The command that opens a local HTML file (the window's launcher) in the default
 * browser on each platform. A file path, not a URL: Windows opens a path through the
 * .html association, and explorer.exe takes it whole, spaces and `&` included (cmd's
 * `start` would need cmd's own quoting, and a file: URL goes through the "file"
 * protocol handler, which not every Windows or Wine has).
 */
export function browserCommand(file: string, platform: NodeJS.Platform): { command: string; args: string[] } {
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [file] };
    case 'win32':
      return { command: 'explorer.exe', args: [file] };
    default:
      return { command: 'xdg-open', args: [file] };
  }
}

/**
 * Opens the HTML file `file` in the customer's default browser, without waiting for it.
 * Resolves false when no opener could be started (the address is printed anyway, to open by hand).
 */
export function openInBrowser(file: string, platform: NodeJS.Platform, spawnFn: typeof spawn = spawn): Promise<boolean> {
  const { command, args } = browserCommand(file, platform);
  const options: SpawnOptions = { detached: true, stdio: 'ignore', windowsHide: true };
  return new Promise((resolve) => {
    let child;
    try {
      child = spawnFn(command, args, options);
    } catch {
      resolve(false);
      return;
    }
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
