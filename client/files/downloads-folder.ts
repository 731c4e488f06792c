import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The customer's Downloads folder: on Linux the XDG user directory (`XDG_DOWNLOAD_DIR` in
 * `user-dirs.dirs`, which a Spanish desktop names `Descargas`), else `~/Downloads`; on
 * Windows and macOS `~/Downloads`. It is created when the first file arrives.
 */
export async function defaultDownloadsFolder(home: string, platform: NodeJS.Platform, xdgConfigHome?: string): Promise<string> {
  const fallback = path.join(home, 'Downloads');
  if (platform !== 'linux') return fallback;
  let text: string;
  try {
    text = await readFile(path.join(xdgConfigHome || path.join(home, '.config'), 'user-dirs.dirs'), 'utf8');
  } catch {
    return fallback;
  }
  return xdgDownloadDir(text, home) ?? fallback;
}

/** `XDG_DOWNLOAD_DIR="$HOME/Descargas"` → `/home/ana/Descargas`; only `$HOME/…` or absolute paths count (the format's rule). */
export function xdgDownloadDir(userDirs: string, home: string): string | undefined {
  for (const line of userDirs.split('\n')) {
    const match = /^\s*XDG_DOWNLOAD_DIR\s*=\s*"(.*)"\s*$/.exec(line);
    if (match === null) continue;
    const value = match[1]!.replace(/\\(.)/g, '$1');
    if (value.startsWith('$HOME/')) return path.join(home, value.slice('$HOME/'.length));
    if (value === '$HOME') return undefined; // downloads "into home": use ~/Downloads rather than scatter files in home
    if (path.isAbsolute(value)) return value;
  }
  return undefined;
}
