import { allowedRelaysFrom, relayWebSocketUrl } from '../core/transport/relay-url';
import { StatsMeter } from '../core/stats/stats-meter';

describe('relay URL', () => {
  it('uses the page\'s own host, with wss for https', () => {
    expect(relayWebSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(relayWebSocketUrl({ protocol: 'https:', host: 'soporte.compueasys.com' })).toBe('wss://soporte.compueasys.com/ws');
  });

  it('takes a ?relay= override (for a page not served by the relay)', () => {
    expect(relayWebSocketUrl({ protocol: 'file:', host: '', search: '?relay=https://r.example.com/x' })).toBe('wss://r.example.com/ws');
    expect(relayWebSocketUrl({ protocol: 'http:', host: 'a', search: '?relay=ws://10.0.0.2:9000' })).toBe('ws://10.0.0.2:9000/ws');
    expect(() => relayWebSocketUrl({ protocol: 'http:', host: 'a', search: '?relay=ftp://x' })).toThrow();
  });

  it('served by a relay, follows ?relay= only to a relay that relay lists', () => {
    const page = { protocol: 'https:', host: 'soporte.example.com', search: '?relay=wss://evil.example.net' };
    expect(relayWebSocketUrl(page, [])).toBe('wss://soporte.example.com/ws');
    expect(relayWebSocketUrl(page, ['wss://relay2.example.com'])).toBe('wss://soporte.example.com/ws');
    expect(relayWebSocketUrl({ ...page, search: '?relay=https://relay2.example.com/x' }, ['wss://relay2.example.com'])).toBe('wss://relay2.example.com/ws');
    expect(allowedRelaysFrom(null)).toBeUndefined();
    expect(allowedRelaysFrom('')).toEqual([]);
    expect(allowedRelaysFrom(' wss://a.example  wss://b.example:8443 ')).toEqual(['wss://a.example', 'wss://b.example:8443']);
  });
});

describe('stats meter', () => {
  it('gives fps, median latency and bandwidth over the window', () => {
    const m = new StatsMeter({ windowMs: 1000 });
    for (let i = 0; i < 30; i++) {
      m.recordBytes(10_000, 10_000 + i * 33);
      m.recordUpdate(10_000 + i * 33 - (40 + (i % 3) * 10), 10_000 + i * 33);
    }
    m.setScreenSize(1920, 1080);
    const s = m.snapshot(10_000 + 29 * 33);
    expect(s.fps).toBe(30);
    expect(s.latencyMs).toBe(50);
    expect(s.bytesPerSecond).toBe(300_000);
    expect([s.screenWidth, s.screenHeight]).toEqual([1920, 1080]);
  });

  it('forgets what is older than the window', () => {
    const m = new StatsMeter({ windowMs: 1000 });
    m.recordUpdate(0, 100);
    m.recordBytes(500, 100);
    expect(m.snapshot(2000)).toMatchObject({ fps: 0, latencyMs: undefined, bytesPerSecond: 0 });
  });
});
