/** The wire-format version this code speaks. Bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Versions a relay accepts in `hello`. A peer announcing another one is refused. */
export const SUPPORTED_VERSIONS: readonly number[] = Object.freeze([1]);

export function isSupportedVersion(version: number): boolean {
  return SUPPORTED_VERSIONS.includes(version);
}
