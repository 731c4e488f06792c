import { AgreementProgress } from '../agreement-progress';

describe('AgreementProgress: the order the relay lets the key agreement through', () => {
  test('share, share, confirm, confirm, then each side introduces itself once', () => {
    const p = new AgreementProgress();
    expect(p.take('client', 'share')).toBe(false); // the technician shares first
    expect(p.take('technician', 'confirm')).toBe(false);
    expect(p.take('technician', 'share')).toBe(true);
    expect(p.take('technician', 'share')).toBe(false); // once
    expect(p.take('technician', 'introduce')).toBe(false); // not before its confirmation
    expect(p.take('client', 'share')).toBe(true);
    expect(p.take('client', 'confirm')).toBe(false); // the client confirms second
    expect(p.take('technician', 'confirm')).toBe(true);
    expect(p.bothConfirmed).toBe(false);
    expect(p.take('technician', 'introduce')).toBe(false); // the client has not confirmed
    expect(p.take('client', 'introduce')).toBe(false);
    expect(p.take('client', 'confirm')).toBe(true);
    expect(p.bothConfirmed).toBe(true);
    expect(p.take('technician', 'introduce')).toBe(true);
    expect(p.take('client', 'introduce')).toBe(true);
    expect(p.take('client', 'introduce')).toBe(false);
    expect(p.take('technician', 'introduce')).toBe(false);
  });
});
