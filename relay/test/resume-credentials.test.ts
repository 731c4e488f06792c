import pino from 'pino';
import { Errors, type ControlMessage } from '../../protocol';
import { ManualClock } from '../clock';
import { Hub } from '../hub';
import { resolveRelayOptions } from '../options';
import type { PeerEnd, PeerLink } from '../peer-link';
import { InMemoryResumeCredentials } from '../resume-credentials';
import { IllegalTransitionError, Session } from '../session';

describe('InMemoryResumeCredentials', () => {
  test('a credential works once, for the side it was issued to', () => {
    const store = new InMemoryResumeCredentials(10);
    const token = store.issue({ sessionId: 's1', role: 'client' }, 0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.take(token, 0)).toEqual({ sessionId: 's1', role: 'client' });
    expect(store.take(token, 0)).toBeUndefined();
  });

  test('a new credential for a side replaces the old one; the other side keeps its own', () => {
    const store = new InMemoryResumeCredentials(10);
    const first = store.issue({ sessionId: 's1', role: 'client' }, 0);
    const tech = store.issue({ sessionId: 's1', role: 'technician' }, 0);
    const second = store.issue({ sessionId: 's1', role: 'client' }, 0);
    expect(store.size).toBe(2);
    expect(store.take(first, 0)).toBeUndefined();
    expect(store.take(second, 0)).toEqual({ sessionId: 's1', role: 'client' });
    expect(store.take(tech, 0)).toEqual({ sessionId: 's1', role: 'technician' });
  });

  test('the store holds no usable credential: only hashes', () => {
    const store = new InMemoryResumeCredentials(10);
    const token = store.issue({ sessionId: 's1', role: 'client' }, 0);
    expect(JSON.stringify([...(store as unknown as { grants: Map<string, unknown> }).grants.keys()])).not.toContain(token);
  });

  test('credentials of an ended session say so for a while, once each, and at most maxEnded are remembered', () => {
    const store = new InMemoryResumeCredentials(2);
    const tokens = ['a', 'b'].map((id) => store.issue({ sessionId: id, role: 'client' }, 0));
    const late = store.issue({ sessionId: 'c', role: 'client' }, 0);
    for (const id of ['a', 'b', 'c']) store.revoke(id, 0, 1000);
    expect(store.size).toBe(0);
    // 'a' was the oldest of three, with room for two: forgotten.
    expect(store.take(tokens[0]!, 10)).toBeUndefined();
    expect(store.take(tokens[1]!, 10)).toBe('ended');
    expect(store.take(tokens[1]!, 10)).toBeUndefined();
    expect(store.take(late, 2000)).toBeUndefined(); // past its time
  });
});

class FakeLink implements PeerLink {
  sent: ControlMessage[] = [];
  ended: PeerEnd | undefined;
  constructor(readonly role: 'client' | 'technician', readonly resumes = true) {}
  readonly name = '';
  readonly legacy = false;
  readonly wholeFramesOnly = false;
  readonly seals = true;
  send(m: ControlMessage): void {
    this.sent.push(m);
  }
  sendFrame(): void {}
  sendAck(): void {}
  end(r: PeerEnd): void {
    this.ended = r;
  }
  tokens(): string[] {
    return this.sent.flatMap((m) => (m.type === 'resume-token' ? [m.token] : []));
  }
}

function pairedHub(clock: ManualClock, options = {}) {
  const hub = new Hub({ options: resolveRelayOptions({ resumeGraceMs: 1000, ...options }), clock, logger: pino({ level: 'silent' }) });
  const client = new FakeLink('client');
  const registered = hub.registerClient(client, '10.0.0.1');
  if (!registered.ok) throw new Error(registered.error.code);
  const tech = new FakeLink('technician');
  const joined = hub.join(tech, registered.value.code, '10.0.0.2');
  if (!joined.ok) throw new Error(joined.error.code);
  const session = joined.value;
  const progress = session.agreement!;
  for (const step of ['share', 'confirm'] as const) for (const role of ['technician', 'client'] as const) progress.take(role, step);
  session.askConsent(clock.now());
  hub.consent(session, true, false);
  return { hub, client, tech, session };
}

describe('the hub and a resumable session', () => {
  test('a drop waits for the side; its credential brings it back; the grace period ends the session for both', () => {
    const clock = new ManualClock();
    const { hub, client, tech, session } = pairedHub(clock);
    expect(session.resumable).toBe(true);
    hub.leave(session, client, 'closed');
    expect(session.state).toBe('paired');
    expect(tech.sent.at(-1)).toEqual({ type: 'peer-away', graceMs: 1000 });
    const back = new FakeLink('client');
    const result = hub.resume(back, client.tokens()[0]!, '10.0.0.3');
    expect(result.ok).toBe(true);
    expect(session.client).toBe(back);
    expect(back.sent.map((m) => m.type)).toEqual(['resumed', 'resume-token']);
    expect(tech.sent.at(-1)).toEqual({ type: 'peer-back' });
    // The technician drops now and does not come back in time.
    hub.leave(session, tech, 'timeout');
    clock.advance(999);
    hub.sweep();
    expect(session.state).toBe('paired');
    clock.advance(1);
    hub.sweep();
    expect(session.state).toBe('ended');
    expect(back.ended).toEqual({ kind: 'error', error: Errors.RESUME_EXPIRED });
    expect(hub.resumeCredentials.size).toBe(0);
  });

  test('a goodbye or an error is no drop: the session ends as before', () => {
    for (const reason of ['bye', 'error'] as const) {
      const { hub, client, tech, session } = pairedHub(new ManualClock());
      hub.leave(session, client, reason);
      expect(session.state).toBe('ended');
      expect(tech.ended).toEqual({ kind: 'peer-left', reason });
    }
  });

  test('a side that cannot resume makes the session not resumable: no credential, a drop ends it', () => {
    const clock = new ManualClock();
    const hub = new Hub({ options: resolveRelayOptions({}), clock, logger: pino({ level: 'silent' }) });
    const client = new FakeLink('client', false);
    const registered = hub.registerClient(client, '10.0.0.1');
    if (!registered.ok) throw new Error();
    const tech = new FakeLink('technician');
    const joined = hub.join(tech, registered.value.code, '10.0.0.2');
    if (!joined.ok) throw new Error();
    const progress = joined.value.agreement!;
    for (const step of ['share', 'confirm'] as const) for (const role of ['technician', 'client'] as const) progress.take(role, step);
    joined.value.askConsent(0);
    hub.consent(joined.value, true, false);
    expect(joined.value.resumable).toBe(false);
    expect(tech.tokens()).toEqual([]);
  });

  test('a session only takes a side back in its own role, and only while paired and resumable', () => {
    const s = new Session('id', 'log', new FakeLink('client', false), 0, 'k');
    expect(() => s.sideAway('client', 0)).toThrow(IllegalTransitionError);
    const { session } = pairedHub(new ManualClock());
    expect(() => session.sideBack('client', new FakeLink('technician'))).toThrow(IllegalTransitionError);
    session.end();
    expect(() => session.sideBack('client', new FakeLink('client'))).toThrow(IllegalTransitionError);
  });
});
