import {
  canTransition, IllegalTransitionError, isFinalState, SESSION_TRANSITIONS, SessionStateMachine,
  type SessionStateName,
} from '../core/session/session-state';

const ALL = Object.keys(SESSION_TRANSITIONS) as SessionStateName[];

describe('session state machine', () => {
  it('walks the happy path idle → connecting → waiting-consent → connected → ended → connecting', () => {
    const m = new SessionStateMachine();
    expect(m.state).toBe('idle');
    m.transition({ state: 'connecting', attempt: 1 });
    m.transition({ state: 'waiting-consent', timeoutMs: 60_000, encrypted: true });
    m.transition({ state: 'connected', viewOnly: false, peerName: 'PC-1', encrypted: true });
    m.transition({ state: 'ended', by: 'customer', reason: 'bye' });
    m.transition({ state: 'connecting', attempt: 1 });
    expect(m.snapshot).toEqual({ state: 'connecting', attempt: 1 });
  });

  it('refuses illegal moves and stays where it was', () => {
    const m = new SessionStateMachine();
    expect(() => m.transition({ state: 'connected', viewOnly: false, peerName: 'x', encrypted: false })).toThrow(IllegalTransitionError);
    expect(m.state).toBe('idle');
    m.transition({ state: 'connecting', attempt: 1 });
    m.transition({ state: 'waiting-consent', timeoutMs: 1, encrypted: false });
    m.transition({ state: 'connected', viewOnly: true, peerName: 'x', encrypted: false });
    // A live session can only end or drop: never go back to waiting, never "decline" later.
    for (const to of ['idle', 'connecting', 'waiting-consent', 'declined', 'invalid-code', 'too-many-attempts'] as const) {
      expect(canTransition('connected', to)).toBe(false);
    }
    expect(() => m.transition({ state: 'waiting-consent', timeoutMs: 1, encrypted: false })).toThrow('connected → waiting-consent');
    expect(m.tryTransition({ state: 'declined', timedOut: false })).toBe(false);
    expect(m.state).toBe('connected');
  });

  it('allows the automatic retry loop only through connection-lost', () => {
    expect(canTransition('connecting', 'connection-lost')).toBe(true);
    expect(canTransition('connection-lost', 'connecting')).toBe(true);
    expect(canTransition('connecting', 'connecting')).toBe(false);
    expect(canTransition('waiting-consent', 'connecting')).toBe(false);
  });

  it('lets every final state start again, and nothing skip the relay\'s answer', () => {
    for (const s of ALL.filter(isFinalState)) {
      if (s !== 'idle') expect(canTransition(s, 'idle')).toBe(true);
      expect(canTransition(s, 'connecting')).toBe(true);
      expect(canTransition(s, 'connected')).toBe(false);
    }
    expect(ALL.filter(isFinalState).sort()).toEqual(['connection-lost', 'declined', 'ended', 'idle', 'invalid-code', 'too-many-attempts', 'verification-failed']);
  });

  it('lets end-to-end verification fail from every live state, and never from a final one', () => {
    // The agreement runs while connecting; a sealed message can fail to open while waiting or connected.
    for (const from of ['connecting', 'waiting-consent', 'connected'] as const) expect([from, canTransition(from, 'verification-failed')]).toEqual([from, true]);
    for (const from of ALL.filter((s) => isFinalState(s))) expect([from, canTransition(from, 'verification-failed')]).toEqual([from, false]);
    const m = new SessionStateMachine();
    m.transition({ state: 'connecting', attempt: 1 });
    m.transition({ state: 'verification-failed', reason: 'mismatch' });
    // The technician types the customer's new code: a fresh attempt from the form.
    expect(m.tryTransition({ state: 'connected', viewOnly: false, peerName: 'x', encrypted: true })).toBe(false);
    m.transition({ state: 'connecting', attempt: 1 });
    expect(m.state).toBe('connecting');
  });

  it('tells listeners the new and the previous state, and stops after unsubscribe', () => {
    const m = new SessionStateMachine();
    const seen: string[] = [];
    const off = m.subscribe((next, prev) => seen.push(`${prev.state}>${next.state}`));
    m.transition({ state: 'connecting', attempt: 1 });
    m.transition({ state: 'invalid-code' });
    off();
    m.transition({ state: 'idle' });
    expect(seen).toEqual(['idle>connecting', 'connecting>invalid-code']);
  });

  it('hands out frozen snapshots', () => {
    const m = new SessionStateMachine();
    const s = m.transition({ state: 'connecting', attempt: 1 });
    expect(Object.isFrozen(s)).toBe(true);
  });
});
