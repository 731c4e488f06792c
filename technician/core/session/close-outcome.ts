import { CloseCode, Errors } from '../../../protocol';
import type { SessionSnapshot } from './session-state';

/**
 * How far the session had got when its socket closed. `agreeing`: the relay answered the
 * join with `e2e-start`, so the code is spent although nobody was asked yet.
 */
export type SessionPhase = 'joining' | 'agreeing' | 'waiting-consent' | 'connected';

/** What is known when a socket closes. */
export interface CloseFacts {
  /** The WebSocket close code (1006 when the connection dropped without a close frame). */
  readonly closeCode: number;
  /** The `code` of the last `error` message the relay sent on this socket, if any. */
  readonly lastErrorCode?: string;
  readonly phase: SessionPhase;
  /** The technician sent `bye` (clicked Disconnect) before the close. */
  readonly sentBye: boolean;
}

/** The state a close leads to, and whether opening a new socket may still help. */
export interface CloseOutcome {
  readonly next: Exclude<SessionSnapshot, { state: 'idle' | 'connecting' | 'waiting-consent' | 'connected' }>;
  /** True when a new socket could still start this session (see {@link classifyClose}). */
  readonly retryable: boolean;
}

/** Closes that say "the network or the relay had trouble", not "you may not". */
const TRANSIENT_CLOSES: ReadonlySet<number> = new Set([
  1001, 1005, 1006, 1011, 1012, 1013, 1014,
  CloseCode.HANDSHAKE_TIMEOUT, CloseCode.RATE_LIMITED, CloseCode.SERVER_FULL,
]);

/**
 * Decides what a closed socket means for the user. The relay sends an `error` before it
 * closes for a reason, so the error code is read first and the close code is the fallback
 * (PROTOCOL.md §3.4).
 *
 * Retrying makes sense only while `joining`: the relay spends a code when a join reaches
 * it, and a session is never resumed (§3.4), so after `waiting-consent` or `paired` a new
 * socket could only fail with an invalid code. The customer has to give a new code then.
 */
export function classifyClose(facts: CloseFacts): CloseOutcome {
  const { closeCode, lastErrorCode, phase, sentBye } = facts;
  const withError = lastErrorCode === undefined ? {} : { errorCode: lastErrorCode };
  const done = (next: CloseOutcome['next']): CloseOutcome => ({ next, retryable: false });

  if (sentBye) return done({ state: 'ended', by: 'technician' });
  if (lastErrorCode === Errors.CODE_INVALID.code || closeCode === CloseCode.INVALID_CODE) return done({ state: 'invalid-code' });
  if (lastErrorCode === Errors.CODE_ATTEMPTS.code || closeCode === CloseCode.TOO_MANY_ATTEMPTS) return done({ state: 'too-many-attempts' });
  if (lastErrorCode === Errors.CONSENT_TIMEOUT.code) return done({ state: 'declined', timedOut: true });
  if (lastErrorCode === Errors.CONSENT_DENIED.code || closeCode === CloseCode.CONSENT_DENIED) return done({ state: 'declined', timedOut: false });
  if (lastErrorCode === Errors.E2E_FAILED.code || closeCode === CloseCode.E2E_FAILED) {
    // During the agreement it is the customer's app that could not verify our confirmation
    // (a mistyped secret digit, or someone in the middle). Later the keys had verified, so
    // the other side found a sealed message that did not open.
    const verified = phase === 'waiting-consent' || phase === 'connected';
    return done({ state: 'verification-failed', reason: verified ? 'tampered' : 'mismatch' });
  }
  if (lastErrorCode === Errors.E2E_REQUIRED.code || closeCode === CloseCode.E2E_REQUIRED) {
    return done({ state: 'ended', by: 'relay', errorCode: Errors.E2E_REQUIRED.code });
  }
  // A relay that admits only signed-in technicians: nothing to retry until the technician signs in.
  if (lastErrorCode === Errors.SIGNIN_REQUIRED.code) return done({ state: 'ended', by: 'relay', errorCode: Errors.SIGNIN_REQUIRED.code });
  if (closeCode === CloseCode.SESSION_ENDED) return done({ state: 'ended', by: 'customer', ...withError });
  if (closeCode === CloseCode.NORMAL) return done({ state: 'ended', by: 'relay', ...withError });
  if (TRANSIENT_CLOSES.has(closeCode)) {
    return { next: { state: 'connection-lost', ...withError }, retryable: phase === 'joining' };
  }
  // Protocol errors, version mismatch, size limits, backlog, time limits: the relay ended it.
  return done({ state: 'ended', by: 'relay', errorCode: lastErrorCode ?? `close-${closeCode}` });
}
