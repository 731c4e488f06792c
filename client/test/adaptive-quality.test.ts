import { AdaptiveQuality } from '../stream/adaptive-quality';

const options = { min: 40, max: 80, lowLatencyMs: 150, highLatencyMs: 400 };

describe('AdaptiveQuality', () => {
  it('drops quality while acks are slow, never below the minimum', () => {
    const q = new AdaptiveQuality(options);
    expect(q.value).toBe(80);
    for (let i = 0; i < 50; i++) q.onAck(2000);
    expect(q.value).toBe(40);
  });

  it('climbs back slowly once acks are fast, never above the maximum', () => {
    const q = new AdaptiveQuality(options);
    for (let i = 0; i < 50; i++) q.onAck(2000);
    for (let i = 0; i < 10; i++) q.onAck(10);
    expect(q.value).toBeGreaterThan(40);
    expect(q.value).toBeLessThan(80);
    for (let i = 0; i < 100; i++) q.onAck(10);
    expect(q.value).toBe(80);
  });

  it('keeps a fixed quality whatever the latency, until set back to auto', () => {
    const q = new AdaptiveQuality(options, 95);
    for (let i = 0; i < 50; i++) q.onAck(2000);
    expect(q.value).toBe(95);
    q.setFixed(undefined);
    expect(q.value).toBe(40);
  });

  it('best: the maximum while adaptive, however low it went; a fixed quality when one is set', () => {
    const q = new AdaptiveQuality(options);
    for (let i = 0; i < 50; i++) q.onAck(2000);
    expect([q.value, q.best]).toEqual([40, 80]);
    q.setFixed(30);
    expect(q.best).toBe(30);
  });
});
