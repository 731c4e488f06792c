import pino from 'pino';
import { withDamageIfAvailable } from '../agent-hardware';
import { FakeScreenSource } from './support/fake-screen-source';

const logger = pino({ level: 'silent' });

describe('withDamageIfAvailable: DAMAGE where the display has it, else the full-frame source polled as before', () => {
  test('off Linux (Windows) the source is polled, and no X connection is tried', async () => {
    const full = new FakeScreenSource(10, 10);
    const chosen = await withDamageIfAvailable(full, { platform: 'win32', x11Display: ':0', logger });
    expect(chosen).toEqual({ source: full, changes: 'polling' });
  });

  test('--changes poll keeps polling', async () => {
    const full = new FakeScreenSource(10, 10);
    const chosen = await withDamageIfAvailable(full, { platform: 'linux', x11Display: ':0', damage: false, logger });
    expect(chosen).toMatchObject({ source: full, changes: 'polling', why: 'damage off' });
  });

  test('an X display that cannot be reached falls back to polling and says why, without throwing', async () => {
    const full = new FakeScreenSource(10, 10);
    for (const x11Display of [':59000', ':99999', 'nonsense']) {
      const chosen = await withDamageIfAvailable(full, { platform: 'linux', x11Display, logger });
      expect(chosen.source).toBe(full);
      expect(chosen.changes).toBe('polling');
      expect(chosen.why).toEqual(expect.any(String));
    }
  });
});
