import { encodeFrame, encodeFrameAck, FrameFlag, ImageFormat } from '../../protocol';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no sample ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

describe('GET /metrics (prom-client)', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  test('counts sessions, sockets, frames, their sizes and forwarding latency, and the process', async () => {
    const { client, tech } = await pairSession(relay.wsUrl);
    const waiting = await WsTestPeer.hello(relay.wsUrl, 'client');
    waiting.sendJson({ type: 'register', name: 'PC-2' });
    await waiting.next('code');
    const image = new Uint8Array(5000).fill(7);
    for (let seq = 0; seq < 3; seq++) {
      client.sendRaw(encodeFrame({
        flags: FrameFlag.FULL | FrameFlag.LAST, seq, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
        x: 0, y: 0, width: 10, height: 10, screenWidth: 10, screenHeight: 10,
      }, image));
      await tech.nextBinary();
    }
    tech.sendRaw(encodeFrameAck(2, 1));
    await client.nextBinary();
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
    await client.next('input');

    const res = await fetch(`${relay.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'relay_sessions{state="paired"}')).toBe(1);
    expect(sample(text, 'relay_sessions{state="waiting"}')).toBe(1);
    expect(sample(text, 'relay_sockets')).toBe(3);
    expect(sample(text, 'relay_frames_forwarded_total')).toBe(3);
    expect(sample(text, 'relay_frames_dropped_total')).toBe(0);
    expect(sample(text, 'relay_frame_bytes_count')).toBe(3);
    expect(sample(text, 'relay_frame_bytes_sum')).toBe(3 * (32 + 5000));
    expect(sample(text, 'relay_forward_seconds_count{kind="frame"}')).toBe(3);
    expect(sample(text, 'relay_forward_seconds_count{kind="ack"}')).toBe(1);
    expect(sample(text, 'relay_forward_seconds_count{kind="control"}')).toBe(1);
    // Loopback on one machine: forwarding takes well under a second.
    expect(sample(text, 'relay_forward_seconds_bucket{le="1",kind="frame"}')).toBe(3);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  test('a second relay in the same process has its own counts and the same process metrics', async () => {
    const other = await startTestRelay();
    try {
      const text = await (await fetch(`${other.url}/metrics`)).text();
      expect(sample(text, 'relay_frames_forwarded_total')).toBe(0);
      expect(sample(text, 'relay_sockets')).toBe(0);
      expect(text).toContain('process_cpu_user_seconds_total');
    } finally {
      await other.close();
    }
  });
});
