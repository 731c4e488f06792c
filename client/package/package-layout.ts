/**
 * What the customer's package (scripts/package.mjs, which reads the same JSON) and its
 * program (main.ts) agree on: one file, so the build and the program cannot drift.
 */
import layout from './package-layout.json';

/** The program runs as the Neutralino runtime's extension when given this (the package's config passes it). */
export const EXTENSION_FLAG = layout.extensionFlag;

/** The runtime's binary for a platform, named as `neu update` names it in `bin/`; undefined where no package is built. */
export function runtimeFileName(platform: NodeJS.Platform): string | undefined {
  return platform === 'win32' ? layout.runtimeFiles.win32 : platform === 'linux' ? layout.runtimeFiles.linux : undefined;
}
