import { missingDisplayProblem } from '../capture/display-check';

describe('missingDisplayProblem', () => {
  test('on Linux without DISPLAY it explains the problem in both languages, before nut-js could abort', () => {
    expect(missingDisplayProblem('linux', undefined)).toMatch(/DISPLAY is not set.*DISPLAY no está definido/);
    expect(missingDisplayProblem('linux', '')).toBeDefined();
  });
  test('with a display, or on Windows and macOS, capture can be tried', () => {
    expect(missingDisplayProblem('linux', ':0')).toBeUndefined();
    expect(missingDisplayProblem('win32', undefined)).toBeUndefined();
    expect(missingDisplayProblem('darwin', undefined)).toBeUndefined();
  });
});
