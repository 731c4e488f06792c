import fc from 'fast-check';
import { base64UrlLength, decodeBase64Url, encodeBase64Url, isBase64UrlOf } from '../base64url';

/** Byte strings in JSON: Node's own base64url is the reference; decoding is strict. */
describe('base64url', () => {
  it('encodes like Node does, and decodes back, for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(text.length).toBe(base64UrlLength(bytes.length));
      expect(decodeBase64Url(text)).toEqual(bytes);
      expect(isBase64UrlOf(text, bytes.length)).toBe(true);
    }));
  });

  it.each([
    ['padding', 'AA=='],
    ['a standard-base64 character', 'A+B/'],
    ['whitespace', 'AA AA'],
    ['one character too many', 'AAAAA'],
    ['low bits set in the last character (two bytes)', 'AAB'],
    ['low bits set in the last character (one byte)', 'AB'],
    ['a character beyond ASCII', 'AAAé'],
  ])('refuses %s', (_what, text) => {
    expect(decodeBase64Url(text)).toBeUndefined();
  });

  it('checks the byte length', () => {
    expect(isBase64UrlOf('AAAA', 3)).toBe(true);
    expect(isBase64UrlOf('AAAA', 2)).toBe(false);
    expect(isBase64UrlOf('', 0)).toBe(true);
  });
});
