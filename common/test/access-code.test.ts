import { groupAccessCode, hasSecretDigits, isCompleteAccessCode, routingPart } from '../access-code';

describe('access codes as people read them', () => {
  it('groups the routing digits by three and the secret digits as one group', () => {
    expect(groupAccessCode('385621947')).toBe('385 621 947');
    expect(groupAccessCode('385621947012')).toBe('385 621 947012');
    expect(groupAccessCode('385621')).toBe('385 621');
    expect(groupAccessCode('3856')).toBe('385 6');
    expect(groupAccessCode('38')).toBe('38');
    expect(groupAccessCode('')).toBe('');
  });

  it('is complete with six digits, or six and three to six secret ones', () => {
    for (const n of [6, 9, 10, 11, 12]) expect(isCompleteAccessCode('1'.repeat(n))).toBe(true);
    for (const n of [0, 5, 7, 8, 13]) expect(isCompleteAccessCode('1'.repeat(n))).toBe(false);
    expect(isCompleteAccessCode('38562194a')).toBe(false);
  });

  it('sends the relay the first six digits only', () => {
    expect(routingPart('385621947')).toBe('385621');
    expect(hasSecretDigits('385621947')).toBe(true);
    expect(hasSecretDigits('385621')).toBe(false);
  });
});
