/** Small byte helpers the sealing code needs in Node and the browser alike. */

/** Equal length and content, in time that depends on the length only (for tags). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
