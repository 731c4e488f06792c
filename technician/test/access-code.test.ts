import { joinMessage, mustSeal, parseAccessCodeInput } from '../core/session/access-code';

describe('access code field', () => {
  it('accepts six digits typed or pasted with a space or dash (an older customer\'s app)', () => {
    for (const raw of ['385621', '385 621', ' 385-621 ', '385\u00a0621']) {
      expect(parseAccessCodeInput(raw)).toEqual({ digits: '385621', display: '385 621', refusedCharacters: false, tooLong: false, complete: true });
    }
  });

  it('accepts nine to twelve digits, grouped as the customer\'s app shows them', () => {
    for (const raw of ['385621947', '385 621 947', '385-621-947', ' 385.621.947 ', '385\u00a0621\u2009947', '385 62 19 47']) {
      expect(parseAccessCodeInput(raw)).toEqual({ digits: '385621947', display: '385 621 947', refusedCharacters: false, tooLong: false, complete: true });
    }
    expect(parseAccessCodeInput('385 621 9470')).toMatchObject({ digits: '3856219470', display: '385 621 9470', complete: true });
    expect(parseAccessCodeInput('385621947012')).toMatchObject({ display: '385 621 947012', complete: true, tooLong: false });
  });

  it('is incomplete with five, seven or eight digits: no whole code has that many', () => {
    expect(parseAccessCodeInput('38562')).toMatchObject({ digits: '38562', display: '385 62', refusedCharacters: false, complete: false });
    expect(parseAccessCodeInput('3856219')).toMatchObject({ display: '385 621 9', complete: false });
    expect(parseAccessCodeInput('38562194')).toMatchObject({ display: '385 621 94', complete: false });
    expect(parseAccessCodeInput('')).toMatchObject({ digits: '', display: '', complete: false });
  });

  it('refuses letters, and keeps at most twelve digits', () => {
    expect(parseAccessCodeInput('38a5b6')).toMatchObject({ digits: '3856', refusedCharacters: true, complete: false });
    expect(parseAccessCodeInput('3856219470123')).toMatchObject({ digits: '385621947012', tooLong: true, complete: true });
  });
});

describe('what the page tells the relay', () => {
  it('sends only the six routing digits, and the name only when the session cannot be sealed', () => {
    // Secret digits: the customer's app seals, the name travels sealed in `introduce`.
    expect(joinMessage('385621947', 'Ana')).toEqual({ type: 'join', code: '385621', name: '' });
    expect(joinMessage('385621947012', 'Ana')).toEqual({ type: 'join', code: '385621', name: '' });
    // Six digits: an older app asks its customer with the name from `join`.
    expect(joinMessage('385621', 'Ana')).toEqual({ type: 'join', code: '385621', name: 'Ana' });
  });

  it('requires sealing exactly when the code has secret digits', () => {
    expect([mustSeal('385621'), mustSeal('385621947'), mustSeal('3856219470')]).toEqual([false, true, true]);
  });
});
