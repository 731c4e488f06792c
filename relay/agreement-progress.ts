import type { Role } from '../protocol';

/** What a peer passes through the relay while the two sides agree on keys. */
export type AgreementStep = 'share' | 'confirm' | 'introduce';

/**
 * The order in which the relay lets the key agreement's messages through (PROTOCOL.md
 * §12.2), each once: the technician's share, the client's, the technician's confirmation,
 * the client's; each side introduces itself once both confirmed (a side seals nothing
 * before it verified the other, and the technician verifies last). The relay cannot
 * read any of them; keeping the order and the count only bounds what a peer can make it
 * forward, and tells it when both sides confirmed (then the customer is asked).
 */
const NEEDS: Readonly<Record<`${Role}:${AgreementStep}`, `${Role}:${AgreementStep}` | undefined>> = Object.freeze({
  'technician:share': undefined,
  'client:share': 'technician:share',
  'technician:confirm': 'client:share',
  'client:confirm': 'technician:confirm',
  'technician:introduce': 'client:confirm',
  'client:introduce': 'client:confirm',
});

export class AgreementProgress {
  private readonly done = new Set<string>();

  /** Whether `role` may send `step` now; if so, it is counted as sent. */
  take(role: Role, step: AgreementStep): boolean {
    const key = `${role}:${step}` as const;
    const needs = NEEDS[key];
    if (this.done.has(key) || (needs !== undefined && !this.done.has(needs))) return false;
    this.done.add(key);
    return true;
  }

  /** Both sides sent their confirmation (neither knows yet whether the other's verified). */
  get bothConfirmed(): boolean {
    return this.done.has('technician:confirm') && this.done.has('client:confirm');
  }
}
