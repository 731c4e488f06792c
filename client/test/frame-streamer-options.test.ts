import { DEFAULT_STREAMER_OPTIONS, resolveStreamerOptions } from '../stream/frame-streamer-options';

describe('resolveStreamerOptions', () => {
  it('fills defaults and freezes the result', () => {
    const o = resolveStreamerOptions({ maxInFlight: 3 });
    expect(o.maxInFlight).toBe(3);
    expect(o.minQuality).toBe(DEFAULT_STREAMER_OPTIONS.minQuality);
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.plan)).toBe(true);
  });

  it('merges a partial plan with the default plan', () => {
    expect(resolveStreamerOptions({ plan: { maxRects: 2 } }).plan).toMatchObject({ maxRects: 2, tileSize: 64 });
  });

  it.each([
    [{ maxInFlight: 0 }, /maxInFlight/],
    [{ minQuality: 90, maxQuality: 80 }, /minQuality/],
    [{ initialQuality: 95 }, /initialQuality/],
    [{ fixedQuality: 0 }, /fixedQuality/],
    [{ lowLatencyMs: 500, highLatencyMs: 400 }, /LatencyMs/],
    [{ maxIdleIntervalMs: 5, minFrameIntervalMs: 10 }, /maxIdleIntervalMs/],
    [{ displayId: 256 }, /displayId/],
  ])('refuses %j', (partial, message) => {
    expect(() => resolveStreamerOptions(partial)).toThrow(message);
  });
});
