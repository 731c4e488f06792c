import WebSocket from 'ws';
import { FrameFlag } from '../../protocol';
import type { BackoffOptions } from '../../common/backoff';
import { createAgent, type Agent, type AgentDeps } from '../../client/agent';
import type { AgentState } from '../../client/session/session-state';
import type { SessionSnapshot } from '../../technician/core/session/session-state';
import { TechnicianSession, type TechnicianSessionOptions } from '../../technician/core/session/technician-session';
import { testCrypto } from '../../technician/test/fake-customer';
import { fakeHardware, type RecordingSink } from './fake-hardware';
import { eventually } from './relay-harness';

/**
 * The two ends of a session as the resume and cluster tests drive them: the real agent
 * (screen and input faked) and the real page's session (TechnicianSession over a real
 * WebSocket), pointed at a relay, a proxy in front of one, a node or the balancer.
 */
export interface Customer {
  agent: Agent;
  states: AgentState[];
  sink: RecordingSink;
  consentQuestions: number;
}

export interface CustomerOptions {
  /** The name the customer gives (the fake hardware's when absent). */
  readonly name?: string;
  /** What the customer answers to the consent question. */
  readonly answer?: 'control' | 'view-only';
  readonly backoff: BackoffOptions;
  readonly streamer: NonNullable<AgentDeps['streamer']>;
  /** Chat, recording notice, files: what the agent has beyond screen and input. */
  readonly extra?: Pick<AgentDeps, 'chat' | 'onRecording' | 'files'>;
}

export async function startCustomer(wsUrl: string, options: CustomerOptions): Promise<Customer> {
  const { sink, deps } = fakeHardware(wsUrl);
  const customer = { states: [] as AgentState[], sink, consentQuestions: 0 } as Customer;
  customer.agent = await createAgent({
    ...deps,
    ...options.extra,
    ...(options.name !== undefined ? { name: options.name } : {}),
    consent: async () => {
      customer.consentQuestions++;
      return options.answer ?? 'control';
    },
    onState: (s) => customer.states.push(s),
    backoff: options.backoff,
    streamer: options.streamer,
  });
  customer.agent.session.connect();
  return customer;
}

export interface Technician {
  session: TechnicianSession;
  snapshots: SessionSnapshot[];
  /** Flags of every frame drawn, in order. */
  frames: number[];
}

export interface TechnicianOptions {
  readonly backoff: BackoffOptions;
  readonly files?: TechnicianSessionOptions['files'];
}

export function startTechnician(wsUrl: string, code: string, options: TechnicianOptions): Technician {
  const snapshots: SessionSnapshot[] = [];
  const frames: number[] = [];
  const session = new TechnicianSession({
    url: wsUrl, code, name: 'Ana (CompuEasys)', app: 'test', crypto: testCrypto,
    backoff: options.backoff,
    createSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
    ...(options.files !== undefined ? { files: options.files } : {}),
  }, {
    onFrame: (frame) => {
      frames.push(frame.header.flags);
      // Draw at once and acknowledge each update, as the page does after its LAST rectangle.
      if (frame.header.flags & FrameFlag.LAST) session.acknowledge(frame.header.seq, frame.header.captureTimeMs);
    },
  });
  session.machine.subscribe((next) => snapshots.push(next));
  session.start();
  return { session, snapshots, frames };
}

export async function codeOf(customer: Customer, timeoutMs = 5000): Promise<string> {
  await eventually(() => customer.agent.session.current.kind === 'code', timeoutMs, 'a code');
  const s = customer.agent.session.current;
  if (s.kind !== 'code') throw new Error('no code');
  return s.code;
}

/** The text the agent typed, in order. */
export function typed(sink: RecordingSink): string[] {
  return sink.log.filter((line) => line.startsWith('type '));
}

export async function connected(customer: Customer, tech: Technician, timeoutMs = 5000): Promise<void> {
  await eventually(() => tech.session.snapshot.state === 'connected' && customer.agent.session.current.kind === 'sharing', timeoutMs, 'both sides in session');
}
