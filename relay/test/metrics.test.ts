import { RelayMetrics } from '../metrics';

describe('RelayMetrics sampling', () => {
  test('records one forwarded message in sampleEvery', () => {
    const metrics = new RelayMetrics({
      sessions: () => ({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 0 }), sockets: () => 0, legacyPeers: () => 0,
      trackedAddresses: () => 0, framesForwarded: () => 0, framesDropped: () => 0, resumes: () => 0,
    }, 4);
    const picked = Array.from({ length: 12 }, () => metrics.sampleNow());
    expect(picked.filter(Boolean)).toHaveLength(3);
    expect(picked.slice(0, 4)).toEqual([false, false, false, true]);
  });
});
