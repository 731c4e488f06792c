import { isLanguage, pickLanguage } from '../language';

describe('pickLanguage: one rule for the window, the terminal agent and the technician page', () => {
  it('takes the first preferred language we speak, whatever the region or form', () => {
    expect(pickLanguage(['es-MX', 'en-US'])).toBe('es');
    expect(pickLanguage(['es_CO.UTF-8'])).toBe('es');
    expect(pickLanguage([undefined, 'en_US.UTF-8'])).toBe('en');
    expect(pickLanguage(['de-DE', 'en-GB', 'es'])).toBe('en');
    expect(pickLanguage(['fr-FR', 'es'])).toBe('es');
  });

  it('gives English to someone who prefers only other languages', () => {
    expect(pickLanguage(['de_DE.UTF-8'])).toBe('en');
    expect(pickLanguage(['fr-FR', 'pt-BR'])).toBe('en');
  });

  it('gives Spanish, the product\'s first language, when nothing names a language', () => {
    expect(pickLanguage([])).toBe('es');
    expect(pickLanguage([undefined, null, ''])).toBe('es');
    expect(pickLanguage(['C', 'POSIX', 'C.UTF-8'])).toBe('es');
    expect(pickLanguage(['C.UTF-8', 'en_US'])).toBe('en');
  });

  it('knows exactly its two languages', () => {
    expect(isLanguage('es')).toBe(true);
    expect(isLanguage('en')).toBe(true);
    expect(isLanguage('ES')).toBe(false);
    expect(isLanguage('xx')).toBe(false);
    expect(isLanguage(null)).toBe(false);
  });
});
