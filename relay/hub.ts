import type { Logger } from 'pino';
import {
  encodeBase64Url, Errors, FrameFlag,
  type ControlMessage, type E2eConfirmMessage, type E2eFailureReason, type E2eShareMessage, type ErrorSpec, type PeerInfo,
  type PeerLeftReason, type SealedMessage,
} from '../protocol';
import { randomAccessCode, randomBinding, randomConnectionId, randomSessionId } from './access-codes';
import { AddressCounter, type AddressCount } from './address-counter';
import { AttemptLimiter, type GuessLimiter } from './attempt-limiter';
import { AwayLink } from './away-link';
import { addressKey } from './client-address';
import type { Clock } from './clock';
import type { RelayOptions } from './options';
import type { Forwarded, PeerEnd, PeerLink } from './peer-link';
import { fileBytesOfChunk } from './peer-message-rules';
import { Session, type SessionState } from './session';
import { RateWindow, type EventLimiter } from './rate-window';
import { InMemorySessionRegistry, type SessionRegistry } from './session-registry';
import type { SessionLedger, SessionRecord } from './stats/session-ledger';
import { InMemoryResumeCredentials, type ResumeCredentials } from './resume-credentials';

export type HubResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorSpec };

export interface IssuedCode {
  readonly session: Session;
  readonly code: string;
  readonly expiresAt: number;
  readonly ttlMs: number;
}

export interface HubCounts {
  readonly waiting: number;
  readonly agreeing: number;
  readonly pendingConsent: number;
  readonly paired: number;
}

export interface HubStats extends HubCounts {
  readonly framesForwarded: number;
  readonly framesDropped: number;
  readonly codeAttemptAddresses: number;
  /** Sides that came back into their session with a resume credential (PROTOCOL.md §14). */
  readonly resumes: number;
}

export interface SessionSummary {
  readonly clientId: string;
  readonly technicianName: string | undefined;
  readonly state: Session['state'];
  readonly ageSeconds: number;
  readonly clientLegacy: boolean;
  readonly technicianLegacy: boolean | undefined;
  readonly viewOnly: boolean;
}

/** What a node knows of a session it takes over from a node that died (the store's SessionMeta). */
export interface AdoptedSession {
  readonly logId: string;
  readonly viewOnly: boolean;
  readonly createdAt: number;
  readonly pairedAt: number;
  readonly clientAddressKey: string;
  readonly clientName: string;
  readonly technicianName: string;
}

export interface HubDeps {
  readonly options: RelayOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry?: SessionRegistry;
  readonly resumeCredentials?: ResumeCredentials;
  /** Counts guesses of codes and credentials; this node's own AttemptLimiter when absent (several nodes share one). */
  readonly limiter?: GuessLimiter;
  /** Registrations per address per minute; this node's own RateWindow when absent (several nodes share one). */
  readonly registrations?: EventLimiter;
  /** Live sessions per address; this node's own AddressCounter when absent (several nodes share one). */
  readonly liveSessions?: AddressCount;
  /** Where each ended session's record goes (the database); absent, none is kept. */
  readonly ledger?: SessionLedger;
}

/** How many random draws to try before deciding the code space is too crowded. */
const CODE_DRAWS = 32;

function fail<T>(error: ErrorSpec): HubResult<T> {
  return { ok: false, error };
}

function peerInfo(link: PeerLink): PeerInfo {
  return { name: link.name, legacy: link.legacy, wholeFramesOnly: link.wholeFramesOnly };
}

/**
 * The session hub: issues codes, pairs a client with a technician, forwards between
 * them and ends sessions. It knows peers only as PeerLinks, so WebSocket and legacy
 * polling peers mix freely. All checks of time use the injected clock, and `sweep`
 * (called on an interval by the server) applies every expiry, so no per-session timers
 * exist to leak.
 */
export class Hub {
  readonly registry: SessionRegistry;
  readonly resumeCredentials: ResumeCredentials;
  private readonly limiter: GuessLimiter;
  /** Registrations and code renewals per address key in the last minute. */
  private readonly registrations: EventLimiter;
  /** Live sessions per address key (of the client that registered). */
  private readonly liveByAddress: AddressCount;
  private readonly options: RelayOptions;
  /** File bytes each session moved (PROTOCOL.md: file transfer); gone with the session. */
  private readonly fileBytes = new WeakMap<Session, number>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ledger: SessionLedger | undefined;
  private framesForwarded = 0;
  private framesDropped = 0;
  private resumes = 0;

  constructor(deps: HubDeps) {
    this.options = deps.options;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.ledger = deps.ledger;
    this.registry = deps.registry ?? new InMemorySessionRegistry();
    // Ended sessions' credentials are remembered as ended for a while, at most a few per session slot.
    this.resumeCredentials = deps.resumeCredentials ?? new InMemoryResumeCredentials(deps.options.maxSessions * 2);
    this.limiter = deps.limiter ?? new AttemptLimiter({
      perAddress: deps.options.codeAttemptsPerIp,
      global: deps.options.codeAttemptsGlobal,
      globalWindowMs: deps.options.codeAttemptWindowMs,
      cooldownMs: deps.options.codeCooldownMs,
      maxTrackedAddresses: deps.options.maxTrackedAddresses,
    });
    this.registrations = deps.registrations ?? new RateWindow(deps.options.registrationsPerIpPerMinute, 60_000, deps.options.maxTrackedAddresses);
    this.liveByAddress = deps.liveSessions ?? new AddressCounter(deps.options.maxSessionsPerIp);
  }

  /**
   * A client asks for a code. WebSocket clients get a random one; legacy clients bring
   * their own (`requestedCode`), which is refused when live. Every registration costs the
   * address (live sessions and registrations per minute are limited per address), and a
   * legacy registration is a guess as well, free code or taken: its answer could tell
   * whether a code is live, so sweeping codes by registering is no faster than by joining.
   */
  registerClient(link: PeerLink, address: string, requestedCode?: string): HubResult<IssuedCode> {
    const now = this.clock.now();
    const key = addressKey(address);
    if (this.registry.size >= this.options.maxSessions) return this.refuse(Errors.LIMIT_SERVER_FULL, key, 'register');
    if (this.liveByAddress.count(key) >= this.options.maxSessionsPerIp) return this.refuse(Errors.LIMIT_ADDRESS, key, 'register: sessions');
    if (requestedCode !== undefined) {
      const verdict = this.limiter.verdict(key, now);
      if (verdict !== 'allowed') return this.refuse(Errors.CODE_ATTEMPTS, key, `register: ${verdict}`);
    }
    if (!this.registrations.take(key, now)) return this.refuse(Errors.LIMIT_ADDRESS, key, 'register: rate');
    const session = new Session(randomSessionId(), randomConnectionId(), link, now, key);
    const code = this.bindNewCode(session, requestedCode);
    if (requestedCode !== undefined) this.limiter.recordGuess(key, now, code === undefined);
    if (code === undefined) {
      if (requestedCode === undefined) return this.refuse(Errors.LIMIT_SERVER_FULL, key, 'register: no free code');
      return this.refuse(Errors.CODE_TAKEN, key, 'register: taken');
    }
    this.registry.add(session);
    this.liveByAddress.tryAdd(key); // checked above: this single thread registered nothing since
    this.logger.info({ sessionId: session.logId, legacy: link.legacy, address: key }, 'client registered');
    return { ok: true, value: this.issued(session, code) };
  }

  /** A waiting client asks for a fresh code; the old one stops working. Costs a registration. */
  renewCode(session: Session): HubResult<IssuedCode> {
    if (session.state !== 'waiting') return fail(Errors.PROTO_UNEXPECTED);
    if (!this.registrations.take(session.clientAddressKey, this.clock.now())) {
      return this.refuse(Errors.LIMIT_ADDRESS, session.clientAddressKey, 'new code: rate');
    }
    this.releaseCode(session.forgetCode());
    const code = this.bindNewCode(session, undefined);
    if (code === undefined) return fail(Errors.LIMIT_SERVER_FULL);
    return { ok: true, value: this.issued(session, code) };
  }

  /**
   * A technician joins with a code. Wrong, expired and spent codes get the same answer,
   * so the answer never tells whether a code exists; each counts against the address.
   */
  join(link: PeerLink, code: string, address: string): HubResult<Session> {
    const now = this.clock.now();
    const key = addressKey(address);
    const verdict = this.limiter.verdict(key, now);
    if (verdict !== 'allowed') return this.refuse(Errors.CODE_ATTEMPTS, key, `join: ${verdict}`);
    const session = this.registry.takeCode(code);
    if (session === undefined || session.state !== 'waiting' || now - session.codeIssuedAt >= this.options.codeTtlMs) {
      if (session !== undefined && session.code === code) session.forgetCode();
      this.limiter.recordGuess(key, now);
      return this.refuse(Errors.CODE_INVALID, key, 'join: wrong code');
    }
    session.forgetCode(); // spent: single use (takeCode unbound it)
    this.logger.info({ sessionId: session.logId, technicianLegacy: link.legacy, address: key }, 'technician joined');
    if (session.client.legacy) {
      // Legacy clients chose their code and read it out themselves: that was their consent.
      this.pair(session, false, link);
    } else {
      session.technicianJoined(link, key, now);
      if (session.sealed) {
        // Both seal: they agree on keys first; the customer is asked once both confirmed.
        const binding = encodeBase64Url(randomBinding());
        session.client.send({ type: 'e2e-start', binding });
        link.send({ type: 'e2e-start', binding });
      } else {
        this.askCustomer(session, link.name);
      }
    }
    // Telling the client can end the session (a client that stopped reading is ended on
    // the spot): then this join did not lead anywhere, and both sides were already told.
    if ((session.state as SessionState) === 'ended') return fail(Errors.SESSION_ENDED);
    return { ok: true, value: session };
  }

  /**
   * A key share or confirmation from one side of a sealed session, passed on unread to the
   * other, in the agreement's order and once each. When both sides confirmed, the customer
   * is asked (with no name: the technician's name reaches the customer sealed).
   */
  agreementMessage(session: Session, from: PeerLink, message: E2eShareMessage | E2eConfirmMessage, forwarded: Forwarded): HubResult<void> {
    const progress = session.agreement;
    const step = message.type === 'e2e-share' ? 'share' : 'confirm';
    if (session.state !== 'agreeing' || progress === undefined || !progress.take(from.role, step)) return fail(Errors.PROTO_UNEXPECTED);
    session.otherSide(from)?.send(message, forwarded);
    if (progress.bothConfirmed && session.state === 'agreeing') {
      session.askConsent(this.clock.now());
      this.askCustomer(session, '');
    }
    return { ok: true, value: undefined };
  }

  /** A sealed message, passed on unread. An introduction goes once per side, after its confirmation. */
  forwardSealed(session: Session, from: PeerLink, message: SealedMessage, forwarded: Forwarded): HubResult<void> {
    if (message.inner === 'introduce' && session.agreement?.take(from.role, 'introduce') !== true) return fail(Errors.PROTO_UNEXPECTED);
    // Who recorded whom, and when: the relay cannot see the recording, only that one began and ended.
    if (message.inner === 'recording-started') this.logger.info({ sessionId: session.logId }, 'the technician started recording the session');
    if (message.inner === 'recording-stopped') this.logger.info({ sessionId: session.logId }, 'the technician stopped recording the session');
    session.otherSide(from)?.send(message, forwarded);
    return { ok: true, value: undefined };
  }

  /**
   * Either way: a sealed FILE_CHUNK, passed on as the same bytes and never dropped (the
   * transfer's window bounds it; a side that does not read is ended like for control). Its
   * bytes count against the session's budget (maxFileBytesPerSession): past it the session ends.
   */
  forwardFileChunk(session: Session, from: PeerLink, chunk: Uint8Array, receivedAtMs?: number): void {
    if (session.state !== 'paired') return;
    const total = (this.fileBytes.get(session) ?? 0) + fileBytesOfChunk(chunk.byteLength);
    this.fileBytes.set(session, total);
    if (total > this.options.maxFileBytesPerSession) {
      this.logger.info({ sessionId: session.logId }, 'a session moved more file bytes than allowed; ending it');
      this.endWithError(session, Errors.LIMIT_FILE_BYTES);
      return;
    }
    // A side that is away gets nothing: the receiver says where to go on from when it is back (file-resume).
    session.otherSide(from)?.sendAck(chunk, receivedAtMs);
  }

  /**
   * A side of a sealed session could not verify the other (or open what it sent). Before
   * pairing this is a failed guess of the code: it counts against the technician's address
   * like a wrong code, the technician is sent away and the customer gets a new code. Once
   * paired, the session ends for both.
   */
  verificationFailed(session: Session, reason: E2eFailureReason): void {
    this.logger.info({ sessionId: session.logId, reason }, 'end-to-end verification failed');
    if (session.state === 'paired') {
      this.endWithError(session, Errors.E2E_FAILED);
      return;
    }
    if (session.state !== 'agreeing' && session.state !== 'pending-consent') return;
    const key = session.technicianAddressKey;
    if (key !== undefined) this.limiter.recordGuess(key, this.clock.now());
    this.refuseTechnician(session, Errors.E2E_FAILED);
  }

  /** The customer answered. Denial sends the technician away and gives the client a new code. */
  consent(session: Session, granted: boolean, viewOnly: boolean): void {
    if (session.state !== 'pending-consent') return;
    if (granted) {
      this.pair(session, viewOnly);
      return;
    }
    this.refuseTechnician(session, Errors.CONSENT_DENIED);
  }

  /** Technician → client: input and control, in order, never dropped. */
  forwardToClient(session: Session, message: ControlMessage, forwarded?: Forwarded): void {
    if (session.state === 'paired') session.client.send(message, forwarded);
  }

  /** Client → technician: control (screen-info). */
  forwardToTechnician(session: Session, message: ControlMessage, forwarded?: Forwarded): void {
    if (session.state === 'paired') session.technician?.send(message, forwarded);
  }

  /** Client → technician: a FRAME, passed on as the same bytes. */
  forwardFrame(session: Session, frame: Uint8Array, flags: number, receivedAtMs?: number): void {
    const technician = session.technician;
    if (session.state !== 'paired' || technician === undefined) return;
    session.frameForwarded((flags & FrameFlag.FULL) !== 0);
    this.framesForwarded++;
    technician.sendFrame(frame, receivedAtMs);
  }

  /** Technician → client: a FRAME_ACK, passed on as the same bytes. */
  forwardAck(session: Session, ack: Uint8Array, receivedAtMs?: number): void {
    if (session.state === 'paired') session.client.sendAck(ack, receivedAtMs);
  }

  /** A frame for the technician was replaced unsent: ask the client for a full refresh once. */
  frameDropped(session: Session): void {
    this.framesDropped++;
    if (session.frameDropped()) session.client.send({ type: 'refresh', reason: 'dropped' });
  }

  /** A peer left (bye, closed, dropped, failed): tell the other side at once and end the session. */
  leave(session: Session, who: PeerLink, reason: PeerLeftReason): void {
    // A technician the customer refused is no longer part of the session: its leaving ends nothing.
    if (session.state === 'ended' || !session.links().includes(who)) return;
    if (session.resumable && session.state === 'paired' && (reason === 'closed' || reason === 'timeout')) {
      this.sideAway(session, who);
      return;
    }
    const other = session.otherSide(who);
    this.end(session, reason, other === undefined ? [] : [[other, { kind: 'peer-left', reason }]]);
  }

  /**
   * A peer on a new socket takes its place back in its session with its resume credential
   * (PROTOCOL.md §14). The credential works once, for its own side only; a wrong one costs
   * the address a guess like a wrong code. If the side's old connection is still open (a
   * network change the relay has not noticed yet), the old one is cut: the credential is
   * the proof. The peer gets `resumed` and a new credential; the other side `peer-back`.
   */
  resume(link: PeerLink, token: string, address: string): HubResult<Session> {
    const now = this.clock.now();
    const key = addressKey(address);
    // The credential first: a technician whose office mistyped codes a moment ago still gets
    // its own session back. Guessing 256 bits gains nothing from being heard; it still counts.
    const grant = this.resumeCredentials.take(token, now);
    if (grant === 'ended') return this.refuse(Errors.RESUME_EXPIRED, key, 'resume: session over');
    const session = grant === undefined ? undefined : this.registry.byId(grant.sessionId);
    if (grant === undefined || session === undefined || grant.role !== link.role || !link.resumes
      || session.state !== 'paired' || !session.resumable) {
      const verdict = this.limiter.verdict(key, now);
      if (verdict !== 'allowed') return this.refuse(Errors.CODE_ATTEMPTS, key, `resume: ${verdict}`);
      this.limiter.recordGuess(key, now);
      return this.refuse(Errors.RESUME_INVALID, key, 'resume: not valid');
    }
    const old = session.sideBack(grant.role, link);
    // No longer part of the session: its close tells the hub nothing.
    old?.end({ kind: 'error', error: Errors.RESUME_REPLACED });
    const other = session.otherSide(link);
    this.resumes++;
    this.logger.info({ sessionId: session.logId, role: grant.role, address: key }, 'side resumed');
    link.send({ type: 'resumed', sessionId: session.logId, viewOnly: session.viewOnly, peer: other === undefined ? { name: '', legacy: false, wholeFramesOnly: false } : peerInfo(other) });
    this.giveResumeCredential(session, link);
    if (other !== undefined && !session.isAway(other.role)) other.send({ type: 'peer-back' });
    // Both dropped, this one is back first: it waits for the other, as the other would have for it.
    else if (other !== undefined) link.send({ type: 'peer-away', graceMs: this.options.resumeGraceMs });
    if ((session.state as SessionState) === 'ended') return fail(Errors.SESSION_ENDED);
    return { ok: true, value: session };
  }

  /**
   * Takes over a resumable session whose node died (issue 14 item 3): it lives here from
   * now on, paired as it was, both sides away; each gets the grace period to resume here
   * with its credential (`resume` as for any drop). `id` is this node's new id for it.
   */
  adopt(id: string, meta: AdoptedSession): Session {
    const now = this.clock.now();
    const session = new Session(id, meta.logId, new AwayLink('client', meta.clientName), meta.createdAt, meta.clientAddressKey);
    session.adoptPaired(new AwayLink('technician', meta.technicianName), meta.viewOnly, meta.pairedAt, now);
    this.registry.add(session);
    // Counted like any live session of that address (it may go over the cap: it existed before).
    if (!this.liveByAddress.tryAdd(meta.clientAddressKey)) this.liveByAddress.force(meta.clientAddressKey);
    this.logger.info({ sessionId: session.logId }, 'session taken over from a node that died; waiting for its sides to resume');
    return session;
  }

  /** A peer's acknowledgement of the other's sealed records, passed on (dropped while the other is away). */
  forwardRecordAck(session: Session, from: PeerLink, message: ControlMessage, forwarded: Forwarded): HubResult<void> {
    if (!session.resumable) return fail(Errors.PROTO_UNEXPECTED);
    const other = session.otherSide(from);
    if (session.state === 'paired' && other !== undefined && !session.isAway(other.role)) other.send(message, forwarded);
    return { ok: true, value: undefined };
  }

  /** Ends a session because of an error that concerns both sides (limits, timeouts). */
  endWithError(session: Session, error: ErrorSpec): void {
    if (session.state === 'ended') return;
    this.end(session, error.code, session.links().map((l) => [l, { kind: 'error', error }] as const));
  }

  /** Applies every expiry: unused codes, unanswered consent, session age. */
  sweep(): void {
    const now = this.clock.now();
    for (const session of [...this.registry.values()]) {
      if (now - session.createdAt >= this.options.maxSessionAgeMs) {
        this.endWithError(session, Errors.TIMEOUT_SESSION_AGE);
      } else if (this.graceRanOut(session, now)) {
        this.logger.info({ sessionId: session.logId }, 'a side did not resume in time');
        this.endWithError(session, Errors.RESUME_EXPIRED);
      } else if (session.state === 'waiting' && now - session.codeIssuedAt >= this.options.codeTtlMs) {
        this.end(session, 'code-expired', [[session.client, { kind: 'error', error: Errors.CODE_EXPIRED }]]);
      } else if (session.state === 'pending-consent' && now - session.consentAskedAt >= this.options.consentTimeoutMs) {
        this.refuseTechnician(session, Errors.CONSENT_TIMEOUT);
      } else if (session.state === 'agreeing' && now - session.agreementStartedAt >= this.options.agreementTimeoutMs) {
        // A technician that joins and stalls holds the code: that costs it a guess too.
        this.verificationFailed(session, 'mismatch');
      }
    }
  }

  counts(): HubCounts {
    let waiting = 0;
    let agreeing = 0;
    let pendingConsent = 0;
    let paired = 0;
    for (const s of this.registry.values()) {
      if (s.state === 'waiting') waiting++;
      else if (s.state === 'agreeing') agreeing++;
      else if (s.state === 'pending-consent') pendingConsent++;
      else if (s.state === 'paired') paired++;
    }
    return { waiting, agreeing, pendingConsent, paired };
  }

  stats(): HubStats {
    return { ...this.counts(), ...this.totals() };
  }

  /** The running totals alone: cheap, without walking the sessions (for the metrics). */
  totals(): Omit<HubStats, keyof HubCounts> {
    return { framesForwarded: this.framesForwarded, framesDropped: this.framesDropped, codeAttemptAddresses: this.limiter.trackedAddresses, resumes: this.resumes };
  }

  /** For the admin view: never codes, never session ids. */
  summaries(): SessionSummary[] {
    const now = this.clock.now();
    return [...this.registry.values()].map((s) => ({
      clientId: s.client.name,
      technicianName: s.technician?.name,
      state: s.state,
      ageSeconds: Math.floor((now - s.createdAt) / 1000),
      clientLegacy: s.client.legacy,
      technicianLegacy: s.technician?.legacy,
      viewOnly: s.viewOnly,
    }));
  }

  /**
   * Ends every session (relay shutting down). `keepResumable`: a node of several leaves its
   * resumable paired sessions as they are (their peers were cut and resume on another node).
   */
  closeAll(keepResumable = false): void {
    for (const session of [...this.registry.values()]) {
      if (keepResumable && session.resumable && session.state === 'paired') continue;
      this.endWithError(session, Errors.SERVER_SHUTDOWN);
    }
  }

  /** A side's connection dropped in a resumable session: the other side is told, the session waits. */
  private sideAway(session: Session, who: PeerLink): void {
    session.sideAway(who.role, this.clock.now());
    this.logger.info({ sessionId: session.logId, role: who.role }, 'side away; waiting for it to resume');
    const other = session.otherSide(who);
    if (other !== undefined && !session.isAway(other.role)) other.send({ type: 'peer-away', graceMs: this.options.resumeGraceMs });
  }

  private graceRanOut(session: Session, now: number): boolean {
    for (const since of session.awaySides().values()) if (now - since >= this.options.resumeGraceMs) return true;
    return false;
  }

  /** A new resume credential for one side (the previous one of that side stops working). */
  private giveResumeCredential(session: Session, link: PeerLink): void {
    const token = this.resumeCredentials.issue({ sessionId: session.id, role: link.role }, this.clock.now());
    link.send({ type: 'resume-token', token, graceMs: this.options.resumeGraceMs });
  }

  private pair(session: Session, viewOnly: boolean, technicianWithoutQuestion?: PeerLink): void {
    session.pair(viewOnly, technicianWithoutQuestion, this.clock.now());
    const technician = session.technician!;
    // Before `paired`, so that each side knows from the start of the session that it keeps what it sends.
    if (session.resumable) for (const link of session.links()) this.giveResumeCredential(session, link);
    session.client.send({ type: 'paired', sessionId: session.logId, viewOnly, peer: peerInfo(technician) });
    technician.send({ type: 'paired', sessionId: session.logId, viewOnly, peer: peerInfo(session.client) });
    this.logger.info({ sessionId: session.logId, viewOnly }, 'paired');
  }

  /** The consent question goes out (the client) and the technician learns it is being asked. */
  private askCustomer(session: Session, technicianName: string): void {
    const verifiedName = session.technician?.verifiedName;
    session.client.send({ type: 'consent-request', technicianName, timeoutMs: this.options.consentTimeoutMs, ...(verifiedName !== undefined ? { verifiedName } : {}) });
    session.technician?.send({ type: 'waiting-consent', timeoutMs: this.options.consentTimeoutMs });
  }

  private refuseTechnician(session: Session, error: ErrorSpec): void {
    // The customer declined (or the keys did not verify): part of the audit trail and of the statistics.
    this.ledger?.auditEvent('refused', session.technicianAddressKey ?? '', { why: error.code, what: 'technician refused' });
    const technician = session.refuseTechnician();
    technician?.end({ kind: 'error', error });
    // The old code was spent by the join; the customer gets a fresh one to read out.
    const code = this.bindNewCode(session, undefined);
    if (code === undefined) {
      this.endWithError(session, Errors.LIMIT_SERVER_FULL);
      return;
    }
    session.client.send({ type: 'error', code: error.code, message: error.message });
    const issued = this.issued(session, code);
    session.client.send({ type: 'code', code, expiresAt: issued.expiresAt, ttlMs: issued.ttlMs });
    this.logger.info({ sessionId: session.logId, why: error.code }, 'technician refused');
  }

  private end(session: Session, why: string, notify: ReadonlyArray<readonly [PeerLink, PeerEnd]>): void {
    this.registry.remove(session); // unbinds its live code too
    session.end();
    if (session.resumable) this.resumeCredentials.revoke(session.id, this.clock.now(), this.options.resumeGraceMs * 2);
    this.liveByAddress.remove(session.clientAddressKey);
    this.logger.info({ sessionId: session.logId, why, framesDropped: session.framesDropped }, 'session ended');
    for (const [link, reason] of notify) link.end(reason);
    this.ledger?.sessionEnded(this.recordOf(session, why));
  }

  /** What is kept of an ended session (SessionRecord): never its code, nothing of the screen. */
  private recordOf(session: Session, why: string): SessionRecord {
    const technician = session.technician;
    const pairedAt = session.pairedAt;
    return {
      relaySessionId: session.logId,
      startedAt: new Date(session.createdAt),
      pairedAt: pairedAt === undefined ? undefined : new Date(pairedAt),
      endedAt: new Date(this.clock.now()),
      technicianUserId: technician?.verifiedUserId,
      technicianName: technician?.name ?? '',
      customerName: session.client.name,
      viewOnly: session.viewOnly,
      bytesToTechnician: session.bytesFrom.client,
      bytesToCustomer: session.bytesFrom.technician,
      endReason: why,
      sealed: session.sealed,
      legacy: session.client.legacy || technician?.legacy === true,
    };
  }

  private bindNewCode(session: Session, requested: string | undefined): string | undefined {
    const candidates = requested !== undefined ? [requested] : Array.from({ length: CODE_DRAWS }, randomAccessCode);
    for (const code of candidates) {
      if (this.registry.bindCode(code, session)) {
        session.codeBound(code, this.clock.now());
        return code;
      }
    }
    return undefined;
  }

  /** A refusal, logged with the address it concerns so abuse can be traced. */
  private refuse<T>(error: ErrorSpec, key: string, what: string): HubResult<T> {
    this.logger.info({ address: key, why: error.code, what }, 'refused');
    // Wrong codes and the blocks they lead to are the audit trail of guessing (never the code itself).
    this.ledger?.auditEvent(error === Errors.CODE_ATTEMPTS ? 'blocked' : 'refused', key, { why: error.code, what });
    return fail(error);
  }

  private releaseCode(code: string | undefined): void {
    if (code !== undefined) this.registry.releaseCode(code);
  }

  private issued(session: Session, code: string): IssuedCode {
    return { session, code, expiresAt: session.codeIssuedAt + this.options.codeTtlMs, ttlMs: this.options.codeTtlMs };
  }
}
