import type { ServerResponse } from 'node:http';
import { CLUSTER_ADDRESS_HEADER, CLUSTER_SECRET_HEADER } from './internal-auth';

export interface LegacyForward {
  /** The owner node's internal URL. */
  readonly nodeUrl: string;
  /** The path as the peer called it (/api/relay/...). */
  readonly pathname: string;
  /** The request body as received (already bounded by the legacy API). */
  readonly body: string;
  /** The peer's address, which the owner node's limits count. */
  readonly peerAddress: string;
  readonly secret: string;
  /** Longest wait for the owner's answer (a long poll's wait and some). */
  readonly timeoutMs: number;
}

/**
 * One legacy polling call passed to the node that holds its peer or code (issue 14 item 2):
 * the owner answers exactly as if the call had reached it, and the answer goes back as it
 * came. Resolves false when the owner did not answer (it may have died): the caller answers.
 */
export async function forwardLegacyCall(call: LegacyForward, res: ServerResponse): Promise<boolean> {
  let answer: Response;
  let text: string;
  try {
    answer = await fetch(`${call.nodeUrl}${call.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLUSTER_SECRET_HEADER]: call.secret, [CLUSTER_ADDRESS_HEADER]: call.peerAddress },
      body: call.body,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    text = await answer.text();
  } catch {
    return false;
  }
  if (res.destroyed) return true;
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' });
  res.end(text);
  return true;
}
