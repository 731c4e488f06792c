import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The header that proves a request comes from another node of the cluster. */
export const CLUSTER_SECRET_HEADER = 'x-cluster-secret';
/** The address of the peer the other node serves: the limits count it, not the node's. */
export const CLUSTER_ADDRESS_HEADER = 'x-cluster-client-address';
/** The WebSocket path only nodes use (a peer relayed from the node it reached). */
export const INTERNAL_WS_PATH = '/internal/ws';

export type InternalVerdict = 'none' | 'node' | 'forged';

/**
 * Tells a request of another node from anyone else's. Only a request that carries the
 * cluster secret is believed about the peer's address; one that carries a wrong secret is
 * an attack (`forged`) and is refused; one without the header is an ordinary request and
 * its address header, if any, is ignored.
 */
export class InternalAuth {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = createHash('sha256').update(secret).digest();
  }

  verdict(req: IncomingMessage): InternalVerdict {
    const given = req.headers[CLUSTER_SECRET_HEADER];
    if (given === undefined) return 'none';
    if (typeof given !== 'string') return 'forged';
    // Hash both so the comparison takes the same time whatever the lengths.
    return timingSafeEqual(createHash('sha256').update(given).digest(), this.expected) ? 'node' : 'forged';
  }

  /** The peer's address another node vouches for; undefined unless the secret is right and the address is one. */
  forwardedAddress(req: IncomingMessage): string | undefined {
    if (this.verdict(req) !== 'node') return undefined;
    const address = req.headers[CLUSTER_ADDRESS_HEADER];
    return typeof address === 'string' && isIP(address) !== 0 ? address : undefined;
  }
}
