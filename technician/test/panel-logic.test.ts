import { Errors } from '../../protocol';
import { formatBandwidth, formatStats } from '../app/format-stats';
import { messagesFor, panelLanguage } from '../app/language';
import { EN, ES, formatMessage } from '../app/messages';
import { parseQuality, Preferences } from '../app/preferences';
import { describeState } from '../app/state-message';
import { displayOptions } from '../app/display-picker';

describe('panel language', () => {
  it('follows the browser, prefers a saved choice, and falls back to English', () => {
    expect(panelLanguage(null, ['es-MX', 'en-US'])).toBe('es');
    expect(panelLanguage(null, ['de-DE', 'en-GB', 'es'])).toBe('en');
    expect(panelLanguage(null, ['fr-FR'])).toBe('en');
    expect(panelLanguage('es', ['en-US'])).toBe('es');
    expect(panelLanguage('xx', ['es'])).toBe('es');
  });

  it('has every message in both languages, with the same placeholders', () => {
    expect(Object.keys(EN).sort()).toEqual(Object.keys(ES).sort());
    const holes = (s: string): string[] => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(ES) as (keyof typeof ES)[]) {
      expect([key, holes(EN[key])]).toEqual([key, holes(ES[key])]);
      expect(EN[key].length).toBeGreaterThan(0);
    }
    expect(messagesFor('es').connect).toBe('Conectar');
    expect(formatMessage('{a} y {b}', { a: 1 })).toBe('1 y {b}');
  });
});

describe('state wording', () => {
  it('gives each state its own words', () => {
    expect(describeState({ state: 'idle' })).toBeUndefined();
    expect(describeState({ state: 'connecting', attempt: 1 })?.title).toBe('stateConnecting');
    expect(describeState({ state: 'connecting', attempt: 3 })).toMatchObject({ title: 'stateReconnecting', params: { attempt: 3 } });
    expect(describeState({ state: 'waiting-consent', timeoutMs: 60_000, encrypted: true })).toMatchObject({ title: 'stateWaiting', params: { seconds: 60 }, tone: 'busy' });
    expect(describeState({ state: 'declined', timedOut: false })?.title).toBe('stateDeclined');
    expect(describeState({ state: 'declined', timedOut: true })?.title).toBe('stateDeclinedTimeout');
    expect(describeState({ state: 'invalid-code' })).toMatchObject({ title: 'stateInvalidCode', tone: 'error' });
    expect(describeState({ state: 'too-many-attempts' })?.title).toBe('stateTooManyAttempts');
    expect(describeState({ state: 'ended', by: 'customer', reason: 'bye' })?.title).toBe('stateEndedCustomer');
    expect(describeState({ state: 'ended', by: 'customer', reason: 'timeout' })?.title).toBe('stateEndedTimeout');
    expect(describeState({ state: 'ended', by: 'technician' })?.title).toBe('stateEndedTechnician');
    expect(describeState({ state: 'connection-lost', retryInMs: 1500, attempt: 2 })).toMatchObject({ title: 'stateLostRetrying', params: { seconds: 2 } });
    expect(describeState({ state: 'connection-lost' })).toMatchObject({ title: 'stateLost', detail: 'stateLostDetail' });
  });

  it('words each end-to-end failure loudly, in both languages', () => {
    expect(describeState({ state: 'verification-failed', reason: 'mismatch' })).toMatchObject({ title: 'stateVerifyMismatch', tone: 'error' });
    expect(ES.stateVerifyMismatch).toBe('No se pudo verificar la conexión: el código no coincide o alguien está interfiriendo.');
    expect(EN.stateVerifyMismatch).toBe('The connection could not be verified: the code does not match or someone is interfering.');
    expect(describeState({ state: 'verification-failed', reason: 'tampered' })?.title).toBe('stateTampered');
    expect([ES.stateTampered, EN.stateTampered]).toEqual(['La conexión fue manipulada: la sesión se cerró.', 'The connection was tampered with: the session was closed.']);
    expect(describeState({ state: 'verification-failed', reason: 'incomplete-code' })?.title).toBe('stateIncompleteCode');
    expect(describeState({ state: 'verification-failed', reason: 'unsealed' })?.title).toBe('stateUnsealed');
    expect(describeState({ state: 'verification-failed', reason: 'unavailable' })?.title).toBe('stateNoCrypto');
    const titles = (['mismatch', 'incomplete-code', 'unsealed', 'tampered', 'unavailable'] as const)
      .map((reason) => describeState({ state: 'verification-failed', reason }));
    expect(new Set(titles.map((m) => m?.title)).size).toBe(5);
    expect(titles.every((m) => m?.tone === 'error' && m.detail !== undefined)).toBe(true);
    expect([ES.badgeE2e, EN.badgeE2e]).toEqual(['🔒 Cifrado de extremo a extremo', '🔒 End-to-end encrypted']);
    expect([ES.badgeNotE2e, EN.badgeNotE2e]).toEqual(['⚠ No cifrado de extremo a extremo', '⚠ Not end-to-end encrypted']);
  });

  it('explains known relay errors and shows the code of unknown ones', () => {
    expect(describeState({ state: 'ended', by: 'relay', errorCode: Errors.PROTO_VERSION.code })?.detail).toBe('errorProtoVersion');
    expect(describeState({ state: 'ended', by: 'relay', errorCode: 'RS_ERR_NEW_THING' })).toMatchObject({ detail: 'errorGeneric', params: { code: 'RS_ERR_NEW_THING' } });
  });
});

describe('status bar numbers and preferences', () => {
  it('formats with the language\'s decimal mark', () => {
    const stats = { fps: 29.6, latencyMs: 41.4, bytesPerSecond: 2_345_678, screenWidth: 1920, screenHeight: 1080 };
    expect(formatStats(stats, { mode: 'auto' }, 'es', 'Automática')).toEqual({
      fps: '30', latency: '41 ms', bandwidth: '2,3 MB/s', screen: '1920 × 1080', quality: 'Automática',
    });
    expect(formatStats({ ...stats, latencyMs: undefined, screenWidth: 0 }, { mode: 'fixed', value: 70 }, 'en', 'Auto'))
      .toMatchObject({ latency: '–', screen: '–', quality: '70', bandwidth: '2.3 MB/s' });
    // A customer clock far off gives nonsense capture-to-draw figures: show a dash instead.
    expect(formatStats({ ...stats, latencyMs: 95_849_071_690 }, { mode: 'auto' }, 'en', 'Auto').latency).toBe('–');
    expect(formatStats({ ...stats, latencyMs: -300 }, { mode: 'auto' }, 'en', 'Auto').latency).toBe('–');
    const f = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
    expect([formatBandwidth(512, f), formatBandwidth(45_600, f)]).toEqual(['512 B/s', '45.6 kB/s']);
  });

  it('remembers choices and survives a storage that throws', () => {
    const map = new Map<string, string>();
    const prefs = new Preferences({ getItem: (k) => map.get(k) ?? null, setItem: (k, v) => { map.set(k, v); } });
    prefs.name = 'Ana';
    prefs.language = 'en';
    prefs.quality = { mode: 'fixed', value: 50 };
    prefs.scale = 'one-to-one';
    expect([prefs.name, prefs.language, prefs.quality, prefs.scale]).toEqual(['Ana', 'en', { mode: 'fixed', value: 50 }, 'one-to-one']);
    const broken = new Preferences({ getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('full'); } });
    broken.name = 'x';
    expect([broken.name, broken.language, broken.quality, broken.scale]).toEqual(['', undefined, { mode: 'auto' }, 'fit']);
    expect(parseQuality('0')).toEqual({ mode: 'auto' });
  });
});

describe('display picker entries', () => {
  const whole = { id: 0, x: 0, y: 0, width: 2880, height: 1080, primary: false };
  const left = { id: 1, x: 0, y: 0, width: 1920, height: 1080, primary: true };
  const right = { id: 2, x: 1920, y: 0, width: 960, height: 1080, primary: false };

  it('offers all screens, then each monitor numbered with its size and the main one said so, in both languages', () => {
    expect(displayOptions({ displays: [whole, left, right] }, ES)).toEqual([
      { id: 0, label: 'Todas las pantallas (2880×1080)' },
      { id: 1, label: 'Pantalla 1, principal (1920×1080)' },
      { id: 2, label: 'Pantalla 2 (960×1080)' },
    ]);
    expect(displayOptions({ displays: [whole, left, right] }, EN).map((o) => o.label)).toEqual([
      'All screens (2880×1080)', 'Screen 1, main (1920×1080)', 'Screen 2 (960×1080)',
    ]);
  });

  it('offers nothing with one display (nothing to pick)', () => {
    expect(displayOptions({ displays: [{ ...whole, primary: true }] }, ES)).toEqual([]);
  });
});
