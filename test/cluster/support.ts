import WebSocket from 'ws';
import { FrameFlag } from '../../protocol';
import { createAgent, type Agent } from '../../client/agent';
import type { CustomerFiles } from '../../client/files/customer-files';
import type { TechnicianSessionOptions } from '../../technician/core/session/technician-session';
import type { AgentState } from '../../client/session/session-state';
import type { SessionSnapshot } from '../../technician/core/session/session-state';
import { TechnicianSession } from '../../technician/core/session/technician-session';
import { testCrypto } from '../../technician/test/fake-customer';
import { fakeHardware, type RecordingSink } from '../support/fake-hardware';
import { eventually } from '../support/relay-harness';

/** The real agent (screen and input faked) and the real page's session, as in the resume tests, pointed at any node or the balancer. */
export interface Customer {
  agent: Agent;
  states: AgentState[];
  sink: RecordingSink;
  consentQuestions: number;
}

export async function startCustomer(wsUrl: string, name = 'PC-MARIA', files?: CustomerFiles): Promise<Customer> {
  const { sink, deps } = fakeHardware(wsUrl);
  const customer = { states: [] as AgentState[], sink, consentQuestions: 0 } as Customer;
  customer.agent = await createAgent({
    ...deps,
    name,
    consent: async () => {
      customer.consentQuestions++;
      return 'control';
    },
    onState: (s) => customer.states.push(s),
    // Many quick tries: a node that died is found dead, and the balancer takes a live one.
    backoff: { initialDelayMs: 50, maxDelayMs: 300, factor: 2, jitter: 0 },
    streamer: { minFrameIntervalMs: 20, maxIdleIntervalMs: 50 },
    ...(files !== undefined ? { files } : {}),
  });
  customer.agent.session.connect();
  return customer;
}

export interface Technician {
  session: TechnicianSession;
  snapshots: SessionSnapshot[];
  frames: number[];
}

export function startTechnician(wsUrl: string, code: string, files?: TechnicianSessionOptions['files']): Technician {
  const snapshots: SessionSnapshot[] = [];
  const frames: number[] = [];
  const session = new TechnicianSession({
    url: wsUrl, code, name: 'Ana (CompuEasys)', app: 'test', crypto: testCrypto,
    backoff: { initialDelayMs: 50, maxDelayMs: 300, factor: 2, jitter: 0, maxRetries: 40 },
    createSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
    ...(files !== undefined ? { files } : {}),
  }, {
    onFrame: (frame) => {
      frames.push(frame.header.flags);
      if (frame.header.flags & FrameFlag.LAST) session.acknowledge(frame.header.seq, frame.header.captureTimeMs);
    },
  });
  session.machine.subscribe((next) => snapshots.push(next));
  session.start();
  return { session, snapshots, frames };
}

export async function codeOf(customer: Customer, timeoutMs = 10_000): Promise<string> {
  await eventually(() => customer.agent.session.current.kind === 'code', timeoutMs, 'a code');
  const s = customer.agent.session.current;
  if (s.kind !== 'code') throw new Error('no code');
  return s.code;
}

export function typed(sink: RecordingSink): string[] {
  return sink.log.filter((line) => line.startsWith('type '));
}

export async function connected(customer: Customer, tech: Technician, timeoutMs = 15_000): Promise<void> {
  await eventually(() => tech.session.snapshot.state === 'connected' && customer.agent.session.current.kind === 'sharing', timeoutMs, 'both sides in session');
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
