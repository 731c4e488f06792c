import type { CustomerFiles } from '../../client/files/customer-files';
import type { TechnicianSessionOptions } from '../../technician/core/session/technician-session';
import * as peers from '../support/session-peers';

export type { Customer, Technician } from '../support/session-peers';
export { typed } from '../support/session-peers';

/*
 * The ends of a session (test/support/session-peers.ts) with the cluster's pace: many
 * quick tries, so that a node that died is found dead and the balancer takes a live one.
 */
const CUSTOMER_BACKOFF = { initialDelayMs: 50, maxDelayMs: 300, factor: 2, jitter: 0 };
const TECHNICIAN_BACKOFF = { ...CUSTOMER_BACKOFF, maxRetries: 40 };

export function startCustomer(wsUrl: string, name = 'PC-MARIA', files?: CustomerFiles): Promise<peers.Customer> {
  return peers.startCustomer(wsUrl, {
    name, backoff: CUSTOMER_BACKOFF, streamer: { minFrameIntervalMs: 20, maxIdleIntervalMs: 50 },
    ...(files !== undefined ? { extra: { files } } : {}),
  });
}

export function startTechnician(wsUrl: string, code: string, files?: TechnicianSessionOptions['files']): peers.Technician {
  return peers.startTechnician(wsUrl, code, { backoff: TECHNICIAN_BACKOFF, ...(files !== undefined ? { files } : {}) });
}

export function codeOf(customer: peers.Customer, timeoutMs = 10_000): Promise<string> {
  return peers.codeOf(customer, timeoutMs);
}

export function connected(customer: peers.Customer, tech: peers.Technician, timeoutMs = 15_000): Promise<void> {
  return peers.connected(customer, tech, timeoutMs);
}

/** The node that holds a session: the one whose /healthz counts a paired session more than `before`. */
export async function pairedCount(nodeUrl: string): Promise<number> {
  const res = await fetch(`${nodeUrl}/healthz`);
  const body = await res.json() as { sessions: { paired: number } };
  return body.sessions.paired;
}

/** The customers' names of the sessions a node holds now, by state (its admin list; the nodes of these tests have ADMIN_TOKEN). */
export async function sessionsOn(nodeUrl: string, adminToken: string): Promise<Array<{ client_id: string; state: string }>> {
  const res = await fetch(`${nodeUrl}/api/relay/list_sessions`, { headers: { authorization: `Bearer ${adminToken}` } });
  const body = await res.json() as { sessions: Array<{ client_id: string; state: string }> };
  return body.sessions;
}
