import type { E2eFailureReason } from '../../protocol';
import type { AeadFactory } from '../../common/e2e/aead';
import { E2eHandshake, type HandshakeMessage, type HandshakeStep, type SealedChannel } from '../../common/e2e/handshake';

/**
 * One technician's attempt to reach the customer end to end (PROTOCOL.md §12): from the
 * relay's `e2e-start` to the keys, the technician's sealed name and the consent question.
 * The ClientSession makes one per `e2e-start` and drops it with the code it was for.
 *
 * The question may be asked only when all three are there: the technician's confirmation
 * verified (the channel), its sealed introduction (the name the customer is asked about),
 * and the relay's `consent-request` (the relay's timer runs from then).
 */
export class SealedAttempt {
  private readonly handshake: E2eHandshake;
  private sealed: SealedChannel | undefined;
  private introducedName: string | undefined;
  private features: readonly string[] = [];
  private consentTimeoutMs: number | undefined;
  private asked = false;
  private failedFor: E2eFailureReason | undefined;

  constructor(code: string, aead: AeadFactory, randomBytes: (length: number) => Uint8Array) {
    this.handshake = new E2eHandshake({ role: 'client', code, aead, randomBytes });
  }

  /** The keys, once the technician's confirmation verified. */
  get channel(): SealedChannel | undefined {
    return this.failedFor === undefined ? this.sealed : undefined;
  }

  /** The technician's name as it introduced itself, sealed. */
  get technicianName(): string | undefined {
    return this.introducedName;
  }

  /** True when the technician's page said, in its introduction, that it can take this (PeerFeature). */
  technicianCan(feature: string): boolean {
    return this.features.includes(feature);
  }

  get failed(): boolean {
    return this.failedFor !== undefined;
  }

  /** The next handshake message; a failure stays failed. */
  async receive(message: HandshakeMessage): Promise<HandshakeStep> {
    if (this.failedFor !== undefined) return { kind: 'failed', reason: this.failedFor };
    const step = await this.handshake.receive(message);
    if (step.kind === 'failed') this.failedFor = step.reason;
    if (step.kind === 'verified') this.sealed = step.channel;
    return step;
  }

  fail(reason: E2eFailureReason): void {
    this.failedFor ??= reason;
  }

  /** The technician's introduction; false for a second one (the relay lets only one through). */
  introduced(name: string, features: readonly string[] = []): boolean {
    if (this.introducedName !== undefined) return false;
    this.introducedName = name;
    this.features = features;
    return true;
  }

  /** The relay asks the customer (its `consent-request`); false when it comes before the keys verified. */
  consentRequested(timeoutMs: number): boolean {
    if (this.channel === undefined) return false;
    this.consentTimeoutMs = timeoutMs;
    return true;
  }

  /** The question to put to the customer now, once: when keys, name and request are all there. */
  questionToAsk(): { readonly technicianName: string; readonly timeoutMs: number } | undefined {
    if (this.asked || this.channel === undefined || this.introducedName === undefined || this.consentTimeoutMs === undefined) return undefined;
    this.asked = true;
    return { technicianName: this.introducedName, timeoutMs: this.consentTimeoutMs };
  }
}
