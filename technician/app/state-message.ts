import { Errors } from '../../protocol';
import type { SessionSnapshot, VerificationFailure } from '../core/session/session-state';
import type { MessageKey } from './messages';

/** How a state looks: colour and icon of the state panel. */
export type Tone = 'busy' | 'info' | 'success' | 'warn' | 'error';

/** The words for a state: message keys plus the values they need. */
export interface StateMessage {
  readonly title: MessageKey;
  readonly detail?: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
  readonly tone: Tone;
}

/** Relay errors with a sentence of their own; others show their code. */
const ERROR_DETAILS: Readonly<Record<string, MessageKey>> = Object.freeze({
  [Errors.PROTO_VERSION.code]: 'errorProtoVersion',
  [Errors.TIMEOUT_SESSION_AGE.code]: 'errorSessionAge',
  [Errors.LIMIT_SERVER_FULL.code]: 'errorServerFull',
  [Errors.SERVER_SHUTDOWN.code]: 'errorShutdown',
  [Errors.RESUME_EXPIRED.code]: 'errorResumeExpired',
  [Errors.RESUME_INVALID.code]: 'errorResumeExpired',
  [Errors.SIGNIN_REQUIRED.code]: 'errorSignInRequired',
});

/**
 * Why end-to-end encryption stopped the session: loud (tone `error`), and each says what to
 * do next. The code is spent in every case, so each asks for the new one.
 */
const VERIFICATION_WORDS: Readonly<Record<VerificationFailure, { title: MessageKey; detail: MessageKey }>> = Object.freeze({
  mismatch: { title: 'stateVerifyMismatch', detail: 'stateVerifyMismatchDetail' },
  'incomplete-code': { title: 'stateIncompleteCode', detail: 'stateIncompleteCodeDetail' },
  unsealed: { title: 'stateUnsealed', detail: 'stateUnsealedDetail' },
  tampered: { title: 'stateTampered', detail: 'stateTamperedDetail' },
  unavailable: { title: 'stateNoCrypto', detail: 'stateNoCryptoDetail' },
});

function errorDetail(errorCode: string | undefined, fallback: MessageKey): { detail: MessageKey; params: Record<string, string> } {
  if (errorCode === undefined) return { detail: fallback, params: {} };
  const known = ERROR_DETAILS[errorCode];
  return known ? { detail: known, params: {} } : { detail: 'errorGeneric', params: { code: errorCode } };
}

/** The sentence the panel shows for a state (undefined for `idle` and `connected`: nothing to say). */
export function describeState(s: SessionSnapshot): StateMessage | undefined {
  switch (s.state) {
    case 'idle':
    case 'connected':
      return undefined;
    case 'connecting':
      return s.attempt > 1
        ? { title: 'stateReconnecting', detail: 'stateConnectingDetail', params: { attempt: s.attempt }, tone: 'busy' }
        : { title: 'stateConnecting', detail: 'stateConnectingDetail', params: {}, tone: 'busy' };
    case 'waiting-consent':
      return { title: 'stateWaiting', detail: 'stateWaitingDetail', params: { seconds: Math.round(s.timeoutMs / 1000) }, tone: 'busy' };
    case 'declined':
      return { title: s.timedOut ? 'stateDeclinedTimeout' : 'stateDeclined', detail: 'stateDeclinedDetail', params: {}, tone: 'warn' };
    case 'invalid-code':
      return { title: 'stateInvalidCode', detail: 'stateInvalidCodeDetail', params: {}, tone: 'error' };
    case 'too-many-attempts':
      return { title: 'stateTooManyAttempts', detail: 'stateTooManyAttemptsDetail', params: {}, tone: 'error' };
    case 'verification-failed':
      return { ...VERIFICATION_WORDS[s.reason], params: {}, tone: 'error' };
    case 'ended': {
      if (s.by === 'technician') return { title: 'stateEndedTechnician', detail: 'stateEndedDetail', params: {}, tone: 'info' };
      if (s.by === 'customer') {
        const title: MessageKey = s.reason === 'timeout' || s.reason === 'error' ? 'stateEndedTimeout' : 'stateEndedCustomer';
        return { title, detail: 'stateEndedDetail', params: {}, tone: 'info' };
      }
      const { detail, params } = errorDetail(s.errorCode, 'stateEndedDetail');
      return { title: 'stateEndedRelay', detail, params, tone: 'warn' };
    }
    case 'connection-lost': {
      if (s.retryInMs !== undefined) {
        return { title: 'stateLostRetrying', detail: 'stateConnectingDetail', params: { seconds: Math.max(1, Math.ceil(s.retryInMs / 1000)) }, tone: 'busy' };
      }
      const { detail, params } = errorDetail(s.errorCode, 'stateLostDetail');
      return { title: 'stateLost', detail, params, tone: 'error' };
    }
    default: {
      const unreachable: never = s;
      return unreachable;
    }
  }
}
