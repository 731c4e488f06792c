/** The wire-format version this code speaks. Bump on any incompatible change. */
export const PROTOCOL_VERSION = 2;

/**
 * The first version whose peers seal everything end to end. Two peers of this version or
 * later always agree on keys and seal; the relay pairs them only that way.
 */
export const SEALING_VERSION = 2;

/** The version before sealing: its peers (and legacy HTTP peers) exchange everything in clear. */
export const UNSEALED_VERSION = 1;

/** Versions a relay accepts in `hello`. A peer announcing another one is refused. */
export const SUPPORTED_VERSIONS: readonly number[] = Object.freeze([1, 2]);

export function isSupportedVersion(version: number): boolean {
  return SUPPORTED_VERSIONS.includes(version);
}

/** Whether a peer that said `version` in `hello` seals (and can be asked to). */
export function versionSeals(version: number): boolean {
  return version >= SEALING_VERSION;
}
