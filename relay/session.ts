import type { Role } from '../protocol';
import { AgreementProgress } from './agreement-progress';
import type { PeerLink } from './peer-link';

/**
 * One support session: a client, then maybe a technician. States only move forward
 * along the arrows below. Every field is private and changes only through the methods
 * named on the arrows, each of which refuses a move the diagram does not have, so a bug
 * cannot, say, pair an ended session or give a session two technicians.
 *
 *   waiting ──join──► pending-consent ──pair──► paired ──end──► ended
 *      │  ▲ ▲                 │ refuseTechnician
 *      │  │ └─────────────────┘ (deny, timeout, a failed verification: a new code)
 *      │  │ refuseTechnician  ▲
 *      │  └──────────┐        │ both confirmed
 *      ├──join (both seal)──► agreeing
 *      └──pair (legacy client)──► paired          any ──end──► ended
 *
 * A paired session of two peers that can resume (PROTOCOL.md §14) stays paired while a
 * side is away (its connection dropped): `sideAway` notes when, `sideBack` puts the
 * side's new connection in the old one's place. The hub ends it when the grace runs out.
 */
export type SessionState = 'waiting' | 'agreeing' | 'pending-consent' | 'paired' | 'ended';

const ALLOWED: Readonly<Record<SessionState, readonly SessionState[]>> = Object.freeze({
  waiting: ['agreeing', 'pending-consent', 'paired', 'ended'],
  agreeing: ['waiting', 'pending-consent', 'ended'],
  'pending-consent': ['waiting', 'paired', 'ended'],
  paired: ['ended'],
  ended: [],
});

export class IllegalTransitionError extends Error {}

export class Session {
  private stateNow: SessionState = 'waiting';
  private technicianLink: PeerLink | undefined;
  private liveCode: string | undefined;
  private codeIssuedAtMs = 0;
  private consentAskedAtMs = 0;
  private agreementStartedAtMs = 0;
  private technicianKey: string | undefined;
  private progress: AgreementProgress | undefined;
  private sealedNow = false;
  private viewOnlyNow = false;
  private refreshAsked = false;
  private forwarded = 0;
  private dropped = 0;
  private clientLink: PeerLink;
  private resumableNow = false;
  private pairedAtMs: number | undefined;
  private readonly sentBytes: Record<Role, number> = { client: 0, technician: 0 };
  /** When each side that is away dropped (relay clock). */
  private readonly away = new Map<Role, number>();

  constructor(
    /** Secret: the legacy API's bearer credential. Log `logId` instead. */
    readonly id: string,
    /** A short random tag for log lines, unrelated to `id` and the code. */
    readonly logId: string,
    client: PeerLink,
    readonly createdAt: number,
    /** The address (addressKey) the client registered from; its live sessions are limited. */
    readonly clientAddressKey: string,
  ) {
    this.clientLink = client;
  }

  get client(): PeerLink {
    return this.clientLink;
  }

  /** Both sides can resume (both seal and said so): a drop waits for the side to come back. */
  get resumable(): boolean {
    return this.resumableNow;
  }

  get state(): SessionState {
    return this.stateNow;
  }

  get technician(): PeerLink | undefined {
    return this.technicianLink;
  }

  /** The live access code while waiting; undefined once spent or released. Never logged. */
  get code(): string | undefined {
    return this.liveCode;
  }

  get codeIssuedAt(): number {
    return this.codeIssuedAtMs;
  }

  get consentAskedAt(): number {
    return this.consentAskedAtMs;
  }

  get agreementStartedAt(): number {
    return this.agreementStartedAtMs;
  }

  /** Both peers seal: every peer-to-peer message of this session travels sealed. */
  get sealed(): boolean {
    return this.sealedNow;
  }

  /** The address (addressKey) of the technician now in the session, whom a failed verification costs a guess. */
  get technicianAddressKey(): string | undefined {
    return this.technicianKey;
  }

  /** How far the key agreement got (sealed sessions only). */
  get agreement(): AgreementProgress | undefined {
    return this.progress;
  }

  /** Input is refused in this session (the customer allowed watching only). */
  get viewOnly(): boolean {
    return this.viewOnlyNow;
  }

  get framesForwarded(): number {
    return this.forwarded;
  }

  get framesDropped(): number {
    return this.dropped;
  }

  /** When it was paired (the clock's milliseconds), or undefined if it never was. */
  get pairedAt(): number | undefined {
    return this.pairedAtMs;
  }

  /** Bytes each side sent while paired: the client's go to the technician and the other way round. */
  get bytesFrom(): Readonly<Record<Role, number>> {
    return this.sentBytes;
  }

  /** `role` sent `bytes` while paired (for the session's record; nothing is kept of them). */
  countSent(role: Role, bytes: number): void {
    if (this.stateNow === 'paired') this.sentBytes[role] += bytes;
  }

  /** The other side of `link` in this session, if there is one. */
  otherSide(link: PeerLink): PeerLink | undefined {
    if (link === this.clientLink) return this.technicianLink;
    return link === this.technicianLink ? this.clientLink : undefined;
  }

  /** The link of one side (while that side is away: its dropped one). */
  linkOf(role: Role): PeerLink | undefined {
    return role === 'client' ? this.clientLink : this.technicianLink;
  }

  /** Whether a side's connection dropped and it has not come back yet. */
  isAway(role: Role): boolean {
    return this.away.has(role);
  }

  /** The sides away now, with when each dropped. */
  awaySides(): ReadonlyMap<Role, number> {
    return this.away;
  }

  /** A side's connection dropped in a resumable paired session: the session waits for it. */
  sideAway(role: Role, now: number): void {
    if (this.stateNow !== 'paired' || !this.resumableNow) throw new IllegalTransitionError('only a resumable paired session waits for a side');
    if (!this.away.has(role)) this.away.set(role, now);
  }

  /** A side resumed: its new link takes the old one's place. Returns the old link. */
  sideBack(role: Role, link: PeerLink): PeerLink | undefined {
    if (this.stateNow !== 'paired' || !this.resumableNow) throw new IllegalTransitionError('only a resumable paired session takes a side back');
    if (link.role !== role) throw new IllegalTransitionError('a side comes back in its own role only');
    const old = this.linkOf(role);
    if (role === 'client') this.clientLink = link;
    else this.technicianLink = link;
    this.away.delete(role);
    return old;
  }

  /** Both peers, the client first. */
  links(): PeerLink[] {
    return this.technicianLink === undefined ? [this.clientLink] : [this.clientLink, this.technicianLink];
  }

  /** A new code is bound to this waiting session (the registry made sure it is free). */
  codeBound(code: string, now: number): void {
    if (this.stateNow !== 'waiting') throw new IllegalTransitionError(`a ${this.stateNow} session cannot take a code`);
    this.liveCode = code;
    this.codeIssuedAtMs = now;
  }

  /** The code stops working (spent by a join, replaced, expired); returns it to release. */
  forgetCode(): string | undefined {
    const code = this.liveCode;
    this.liveCode = undefined;
    return code;
  }

  /**
   * A technician joined with the code. Two peers that seal agree on keys first; with
   * anyone else the customer is asked at once.
   */
  technicianJoined(technician: PeerLink, addressKey: string, now: number): void {
    const sealed = this.clientLink.seals && technician.seals;
    this.move(sealed ? 'agreeing' : 'pending-consent');
    this.technicianLink = technician;
    this.technicianKey = addressKey;
    this.sealedNow = sealed;
    if (sealed) {
      this.progress = new AgreementProgress();
      this.agreementStartedAtMs = now;
    } else {
      this.consentAskedAtMs = now;
    }
  }

  /** Both sides confirmed their keys: now the customer is asked. */
  askConsent(now: number): void {
    if (this.stateNow !== 'agreeing' || this.progress?.bothConfirmed !== true) {
      throw new IllegalTransitionError('consent is asked in a sealed session only after both confirmations');
    }
    this.move('pending-consent');
    this.consentAskedAtMs = now;
  }

  /**
   * The session goes live. `technician` is given when the pairing needs no question
   * (a legacy client consented by reading its code out).
   */
  pair(viewOnly: boolean, technician?: PeerLink, now: number = Date.now()): void {
    if (technician !== undefined) {
      if (this.stateNow !== 'waiting') throw new IllegalTransitionError('only a waiting session pairs without a question');
      this.technicianLink = technician;
    }
    if (this.technicianLink === undefined) throw new IllegalTransitionError('no technician to pair with');
    this.move('paired');
    this.pairedAtMs = now;
    this.viewOnlyNow = viewOnly;
    // Resuming needs both: a side that cannot resend what was lost must not be waited for.
    this.resumableNow = this.sealedNow && this.clientLink.resumes && this.technicianLink.resumes;
  }

  /**
   * A resumable paired session whose node died, taken over by this node (issue 14 item 3):
   * paired as it was, both sides away from `now` until they resume here.
   */
  adoptPaired(technician: PeerLink, viewOnly: boolean, pairedAt: number, now: number): void {
    if (this.stateNow !== 'waiting' || this.liveCode !== undefined) throw new IllegalTransitionError('only a fresh session takes over one from another node');
    if (!this.clientLink.resumes || !technician.resumes) throw new IllegalTransitionError('only a resumable session is taken over');
    this.technicianLink = technician;
    this.sealedNow = true;
    this.move('paired');
    this.pairedAtMs = pairedAt;
    this.viewOnlyNow = viewOnly;
    this.resumableNow = true;
    this.away.set('client', now);
    this.away.set('technician', now);
  }

  /** The customer declined (or did not answer, or the keys did not verify): back to waiting, without the technician. */
  refuseTechnician(): PeerLink | undefined {
    this.move('waiting');
    const technician = this.technicianLink;
    this.technicianLink = undefined;
    this.technicianKey = undefined;
    this.progress = undefined;
    this.sealedNow = false;
    return technician;
  }

  /** The end, from any state; a live code stops working (the registry unbinds it). */
  end(): void {
    this.move('ended');
    this.liveCode = undefined;
  }

  /** A frame went to the technician; a full one satisfies a pending refresh request. */
  frameForwarded(full: boolean): void {
    this.forwarded++;
    if (full) this.refreshAsked = false;
  }

  /**
   * A frame was replaced unsent. True when the client should now be asked for a full
   * refresh: once, until a full frame has passed.
   */
  frameDropped(): boolean {
    this.dropped++;
    if (this.refreshAsked || this.stateNow !== 'paired') return false;
    this.refreshAsked = true;
    return true;
  }

  private move(to: SessionState): void {
    if (!ALLOWED[this.stateNow].includes(to)) {
      throw new IllegalTransitionError(`session cannot go from ${this.stateNow} to ${to}`);
    }
    this.stateNow = to;
  }
}
