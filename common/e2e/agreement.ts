import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  calculateGenerator, intermediateSessionKey, isIdentity, lvCat, sampleScalar, scalarMult, scalarMultVfy, transcriptIr,
} from './cpace';
import { constantTimeEqual } from './bytes';

/**
 * The key agreement of a version 2 session (PROTOCOL.md §12.2): CPace keyed on the whole
 * access code, then explicit key confirmation both ways, then one AES-256-GCM key per
 * direction. The technician is CPace's initiator (A), the customer's agent its responder
 * (B). Four messages cross the relay:
 *
 *   technician ── e2e-share  Ya ──► client
 *   technician ◄── e2e-share Yb ─── client
 *   technician ── e2e-confirm Ta ─► client    the client checks Ta first: a guesser learns
 *   technician ◄── e2e-confirm Tb ─ client    nothing until the client has seen its guess
 *
 * A wrong code on either side, or anyone in the middle who does not know every digit,
 * makes a confirmation fail; both sides then refuse the session.
 */

/** What both sides feed the agreement. */
export interface AgreementInput {
  /** Every digit the customer read out: the relay's routing digits and the agent's secret ones. */
  readonly code: string;
  /** The relay's session binding from `e2e-start` (CPace's sid). */
  readonly binding: Uint8Array;
  /** The protocol version both sides speak: bound into the channel identifier. */
  readonly version: number;
  readonly randomBytes: (length: number) => Uint8Array;
}

/** One AES-256-GCM key per direction. */
export interface SessionKeys {
  readonly technicianToClient: Uint8Array;
  readonly clientToTechnician: Uint8Array;
}

export type AgreementStep<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

const TECHNICIAN = utf8ToBytes('technician');
const CLIENT = utf8ToBytes('client');
const LABEL = 'CompuEasys Remote Support e2e';

/** CPace's channel identifier: this product, the version and both roles, in order. */
export function channelIdentifier(version: number): Uint8Array {
  return lvCat(utf8ToBytes(`${LABEL}/${version}`), TECHNICIAN, CLIENT);
}

/** What the intermediate session key expands to (HKDF-SHA-256, salt = the binding). */
interface Expanded {
  readonly confirmTechnician: Uint8Array;
  readonly confirmClient: Uint8Array;
  readonly keys: SessionKeys;
}

function expand(isk: Uint8Array, binding: Uint8Array): Expanded {
  const derive = (what: string): Uint8Array => hkdf(sha256, isk, binding, utf8ToBytes(`${LABEL}: ${what}`), 32);
  return {
    confirmTechnician: derive('confirm technician'),
    confirmClient: derive('confirm client'),
    keys: { technicianToClient: derive('key technician to client'), clientToTechnician: derive('key client to technician') },
  };
}

/** A side's tag over the share it sent (draft §"key confirmation"): MAC(key, lv_cat(Y, AD)). */
function confirmationTag(key: Uint8Array, share: Uint8Array, ad: Uint8Array): Uint8Array {
  return hmac(sha256, key, lvCat(share, ad));
}

function failed<T>(): AgreementStep<T> {
  return { ok: false };
}

/**
 * Shared by both sides: the generator from the code, this side's secret scalar and share.
 * A side is used once; any step out of order, or any bad input, fails it for good.
 */
abstract class Side {
  protected readonly y: bigint;
  protected readonly ownShare: Uint8Array;
  protected broken = false;

  protected constructor(protected readonly input: AgreementInput) {
    const g = calculateGenerator(utf8ToBytes(input.code), channelIdentifier(input.version), input.binding);
    this.y = sampleScalar(input.randomBytes);
    this.ownShare = scalarMult(this.y, g);
  }

  /** The shared key material from the other side's share, or undefined for a share that must abort. */
  protected expandWith(share: Uint8Array, transcript: (own: Uint8Array, other: Uint8Array) => Uint8Array): Expanded | undefined {
    if (share.length !== 32) return undefined;
    const k = scalarMultVfy(this.y, share);
    if (isIdentity(k)) return undefined;
    return expand(intermediateSessionKey(this.input.binding, k, transcript(this.ownShare, share)), this.input.binding);
  }

  protected fail<T>(): AgreementStep<T> {
    this.broken = true;
    return failed();
  }
}

/** The technician's side (CPace initiator). */
export class TechnicianAgreement extends Side {
  private step: 'new' | 'shared' | 'confirmed' | 'done' = 'new';
  private expanded: Expanded | undefined;
  private clientShare: Uint8Array | undefined;

  constructor(input: AgreementInput) {
    super(input);
  }

  /** Ya, to send first. */
  share(): AgreementStep<Uint8Array> {
    if (this.broken || this.step !== 'new') return this.fail();
    this.step = 'shared';
    return { ok: true, value: this.ownShare };
  }

  /** The client's Yb arrived: Ta, to send next. */
  receiveShare(yb: Uint8Array): AgreementStep<Uint8Array> {
    if (this.broken || this.step !== 'shared') return this.fail();
    const expanded = this.expandWith(yb, (ya, other) => transcriptIr(ya, TECHNICIAN, other, CLIENT));
    if (expanded === undefined) return this.fail();
    this.expanded = expanded;
    this.clientShare = yb.slice();
    this.step = 'confirmed';
    return { ok: true, value: confirmationTag(expanded.confirmTechnician, this.ownShare, TECHNICIAN) };
  }

  /** The client's Tb arrived: the session keys when it verifies. */
  receiveConfirm(tb: Uint8Array): AgreementStep<SessionKeys> {
    if (this.broken || this.step !== 'confirmed' || !this.expanded || !this.clientShare) return this.fail();
    const expected = confirmationTag(this.expanded.confirmClient, this.clientShare, CLIENT);
    if (!constantTimeEqual(expected, tb)) return this.fail();
    this.step = 'done';
    return { ok: true, value: this.expanded.keys };
  }
}

/** The customer's side (CPace responder). */
export class ClientAgreement extends Side {
  private step: 'new' | 'shared' | 'done' = 'new';
  private expanded: Expanded | undefined;
  private technicianShare: Uint8Array | undefined;

  constructor(input: AgreementInput) {
    super(input);
  }

  /** The technician's Ya arrived: Yb, to send back. */
  receiveShare(ya: Uint8Array): AgreementStep<Uint8Array> {
    if (this.broken || this.step !== 'new') return this.fail();
    const expanded = this.expandWith(ya, (yb, other) => transcriptIr(other, TECHNICIAN, yb, CLIENT));
    if (expanded === undefined) return this.fail();
    this.expanded = expanded;
    this.technicianShare = ya.slice();
    this.step = 'shared';
    return { ok: true, value: this.ownShare };
  }

  /** The technician's Ta arrived: when it verifies, Tb to send and the session keys. */
  receiveConfirm(ta: Uint8Array): AgreementStep<{ readonly confirm: Uint8Array; readonly keys: SessionKeys }> {
    if (this.broken || this.step !== 'shared' || !this.expanded || !this.technicianShare) return this.fail();
    const expected = confirmationTag(this.expanded.confirmTechnician, this.technicianShare, TECHNICIAN);
    if (!constantTimeEqual(expected, ta)) return this.fail();
    this.step = 'done';
    return { ok: true, value: { confirm: confirmationTag(this.expanded.confirmClient, this.ownShare, CLIENT), keys: this.expanded.keys } };
  }
}
