import { CloseCode, Errors } from '../../protocol';
import { classifyClose } from '../core/session/close-outcome';

describe('what a closed socket means', () => {
  it('reads the relay error first, then the close code', () => {
    expect(classifyClose({ closeCode: 4006, lastErrorCode: Errors.CODE_INVALID.code, phase: 'joining', sentBye: false }).next).toEqual({ state: 'invalid-code' });
    expect(classifyClose({ closeCode: 4006, phase: 'joining', sentBye: false }).next).toEqual({ state: 'invalid-code' });
    expect(classifyClose({ closeCode: 4005, lastErrorCode: Errors.CODE_ATTEMPTS.code, phase: 'joining', sentBye: false }).next).toEqual({ state: 'too-many-attempts' });
    expect(classifyClose({ closeCode: 4007, lastErrorCode: Errors.CONSENT_DENIED.code, phase: 'waiting-consent', sentBye: false }).next)
      .toEqual({ state: 'declined', timedOut: false });
    expect(classifyClose({ closeCode: 4007, lastErrorCode: Errors.CONSENT_TIMEOUT.code, phase: 'waiting-consent', sentBye: false }).next)
      .toEqual({ state: 'declined', timedOut: true });
  });

  it('ends the session when the other side left or the relay ended it', () => {
    expect(classifyClose({ closeCode: CloseCode.SESSION_ENDED, phase: 'connected', sentBye: false }).next).toEqual({ state: 'ended', by: 'customer' });
    expect(classifyClose({ closeCode: 4009, lastErrorCode: Errors.TIMEOUT_SESSION_AGE.code, phase: 'connected', sentBye: false }))
      .toEqual({ next: { state: 'ended', by: 'relay', errorCode: 'RS_ERR_TIMEOUT_SESSION_AGE' }, retryable: false });
    expect(classifyClose({ closeCode: 4001, lastErrorCode: Errors.PROTO_VERSION.code, phase: 'joining', sentBye: false }).retryable).toBe(false);
    expect(classifyClose({ closeCode: 4000, phase: 'connected', sentBye: false }).next).toEqual({ state: 'ended', by: 'relay', errorCode: 'close-4000' });
  });

  it('says the technician ended it after bye, whatever the close code', () => {
    expect(classifyClose({ closeCode: 1000, phase: 'connected', sentBye: true }).next).toEqual({ state: 'ended', by: 'technician' });
    expect(classifyClose({ closeCode: 1006, phase: 'connected', sentBye: true }).next).toEqual({ state: 'ended', by: 'technician' });
  });

  it('reads a failed end-to-end verification by how far the session had got', () => {
    const failed = { closeCode: CloseCode.E2E_FAILED, lastErrorCode: Errors.E2E_FAILED.code, sentBye: false };
    // During the agreement: the customer's app could not verify our confirmation (wrong secret digit, or someone in the middle).
    expect(classifyClose({ ...failed, phase: 'agreeing' })).toEqual({ next: { state: 'verification-failed', reason: 'mismatch' }, retryable: false });
    // After both confirmations: the customer's app found a sealed message that did not open.
    expect(classifyClose({ ...failed, phase: 'waiting-consent' }).next).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(classifyClose({ ...failed, phase: 'connected' }).next).toEqual({ state: 'verification-failed', reason: 'tampered' });
    expect(classifyClose({ closeCode: CloseCode.E2E_FAILED, phase: 'agreeing', sentBye: false }).next).toEqual({ state: 'verification-failed', reason: 'mismatch' });
  });

  it('never retries once an agreement started: the join spent the code', () => {
    expect(classifyClose({ closeCode: 1006, phase: 'agreeing', sentBye: false })).toEqual({ next: { state: 'connection-lost' }, retryable: false });
  });

  it('retries a dropped connection only while the code is not spent', () => {
    for (const code of [1006, 1001, 1011, 4010, 4002]) {
      expect(classifyClose({ closeCode: code, phase: 'joining', sentBye: false })).toEqual({ next: { state: 'connection-lost' }, retryable: true });
      expect(classifyClose({ closeCode: code, phase: 'waiting-consent', sentBye: false }).retryable).toBe(false);
      expect(classifyClose({ closeCode: code, phase: 'connected', sentBye: false })).toEqual({ next: { state: 'connection-lost' }, retryable: false });
    }
  });
});
