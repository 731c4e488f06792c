import type { PeerLink } from './peer-link';

/**
 * One support session: a client, then maybe a technician. States only move forward
 * along the arrows below; `transition` refuses anything else so a bug cannot, say,
 * pair an ended session.
 *
 *   waiting ──join──► pending-consent ──consent──► paired ──► ended
 *      ▲                    │ deny / timeout                    ▲
 *      └────────────────────┘ (new code)            any ────────┘
 */
export type SessionState = 'waiting' | 'pending-consent' | 'paired' | 'ended';

const ALLOWED: Readonly<Record<SessionState, readonly SessionState[]>> = Object.freeze({
  waiting: ['pending-consent', 'paired', 'ended'],
  'pending-consent': ['waiting', 'paired', 'ended'],
  paired: ['ended'],
  ended: [],
});

export class IllegalTransitionError extends Error {}

export class Session {
  state: SessionState = 'waiting';
  technician: PeerLink | undefined;
  /** The live access code while waiting; cleared once spent. Never logged. */
  code: string | undefined;
  codeIssuedAt = 0;
  consentAskedAt = 0;
  pairedAt = 0;
  viewOnly = false;
  /** A refresh was asked of the client and no full frame has arrived since. */
  refreshPending = false;
  framesForwarded = 0;
  framesDropped = 0;

  constructor(
    /** Secret: the legacy API's bearer credential. Log `logId` instead. */
    readonly id: string,
    /** A short random tag for log lines, unrelated to `id` and the code. */
    readonly logId: string,
    readonly client: PeerLink,
    readonly createdAt: number,
  ) {}

  transition(to: SessionState): void {
    if (!ALLOWED[this.state].includes(to)) {
      throw new IllegalTransitionError(`session cannot go from ${this.state} to ${to}`);
    }
    this.state = to;
  }
}
