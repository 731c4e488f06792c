import { spawn, type SpawnOptions } from 'node:child_process';

/** The command that opens a URL in the default browser on each platform. */
export function browserCommand(url: string, platform: NodeJS.Platform): { command: string; args: string[] } {
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [url] };
    case 'win32':
      // `start` is a cmd built-in; the empty "" is the window title it would take the URL for.
      return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
    default:
      return { command: 'xdg-open', args: [url] };
  }
}

/**
 * Opens `url` in the customer's default browser, without waiting for it. Resolves false
 * when no opener could be started (the address is printed anyway, to open by hand).
 */
export function openInBrowser(url: string, platform: NodeJS.Platform, spawnFn: typeof spawn = spawn): Promise<boolean> {
  const { command, args } = browserCommand(url, platform);
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
