import { CloseCode, encodeFrame, Errors, FrameFlag, ImageFormat } from '../../protocol';
import type { Relay } from '../../relay/server';
import { eventually, startTestRelay } from '../support/relay-harness';
import { pairSession } from '../support/ws-peer';

const FRAME_BYTES = 200_000;
const FRAMES = 300; // 60 MB: far more than the socket buffers on both sides of loopback

function frame(seq: number, flags: number = FrameFlag.LAST): Uint8Array {
  const image = new Uint8Array(FRAME_BYTES).fill(seq & 0xff);
  return encodeFrame({
    flags, seq, captureTimeMs: seq + 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 1920, height: 1080, screenWidth: 1920, screenHeight: 1080,
  }, image);
}

describe('a technician that stops reading', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('does not grow the relay without bound, input still reaches the client, the newest frame wins, and the client is asked for a refresh once per full frame', async () => {
    const backlog = 1024 * 1024;
    relay = await startTestRelay({ frameBacklogBytes: backlog });
    const { client, tech } = await pairSession(relay.wsUrl);
    const techConn = [...relay.connections].find((c) => c.role === 'technician')!;
    // Stop reading: the kernel buffers fill, then the relay's own send queue would.
    const techSocket = (tech.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    techSocket.pause();

    let maxHeld = 0;
    for (let seq = 0; seq < FRAMES; seq++) {
      client.sendRaw(frame(seq));
      if (seq % 20 === 19) {
        // Let the relay read what was sent so far before measuring.
        await new Promise((r) => setImmediate(r));
        maxHeld = Math.max(maxHeld, techConn.heldBytes);
      }
    }
    await eventually(() => relay.hub.stats().framesForwarded === FRAMES, 10_000, 'all frames to reach the relay');
    maxHeld = Math.max(maxHeld, techConn.heldBytes);

    // Bounded: the backlog limit, plus one frame that pushed it over, plus the held one.
    expect(maxHeld).toBeLessThanOrEqual(backlog + 2 * (FRAME_BYTES + 64));
    expect(relay.hub.stats().framesDropped).toBeGreaterThan(0);

    // The client was asked once for a full refresh (no full frame has come since).
    expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'dropped' });

    // Input and control are not stuck behind the frames.
    for (let i = 0; i < 20; i++) tech.sendJson({ type: 'input', seq: i, event: { kind: 'pointer-move', x: i, y: i } });
    for (let i = 0; i < 20; i++) expect((await client.next('input')).seq).toBe(i);
    expect(client.pending).toBe(0); // still only one refresh request

    // The technician catches up: what it gets last is the newest frame.
    techSocket.resume();
    let last = -1;
    let received = 0;
    while (last !== FRAMES - 1) {
      const { message } = await tech.nextBinary(10_000);
      if (message.kind === 'frame') last = message.header.seq;
      received++;
    }
    expect(received).toBeLessThan(FRAMES);

    // Catching up dropped more frames, but the refresh was asked for already: no second one.
    expect(client.pending).toBe(0);

    // A full frame answers the refresh; once it has gone through, the next drop asks again.
    client.sendRaw(frame(FRAMES, FrameFlag.FULL | FrameFlag.LAST));
    const full = await tech.nextBinary();
    expect(full.message.kind === 'frame' && full.message.header.flags & FrameFlag.FULL).toBeTruthy();
    techSocket.pause();
    const droppedBefore = relay.hub.stats().framesDropped;
    for (let seq = FRAMES + 1; seq <= 2 * FRAMES; seq++) client.sendRaw(frame(seq));
    await eventually(() => relay.hub.stats().framesForwarded === 2 * FRAMES + 1, 10_000, 'the second batch to reach the relay');
    expect(relay.hub.stats().framesDropped).toBeGreaterThan(droppedBefore);
    expect(await client.next('refresh')).toEqual({ type: 'refresh', reason: 'dropped' });
    techSocket.resume();
  });

  test('memory per session stays bounded across many lagging sessions', async () => {
    const backlog = 256 * 1024;
    relay = await startTestRelay({ frameBacklogBytes: backlog });
    const sessions = await Promise.all(Array.from({ length: 5 }, () => pairSession(relay.wsUrl)));
    for (const s of sessions) (s.tech.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let seq = 0; seq < 100; seq++) for (const s of sessions) s.client.sendRaw(frame(seq));
    await eventually(() => relay.hub.stats().framesForwarded === 500, 10_000, 'frames to arrive');
    for (const conn of relay.connections) {
      if (conn.role === 'technician') expect(conn.heldBytes).toBeLessThanOrEqual(backlog + 2 * (FRAME_BYTES + 64));
    }
  });

  test('control still reaches a lagging technician: screen-info while frames wait does not end the session', async () => {
    relay = await startTestRelay({ frameBacklogBytes: 512 * 1024 });
    const { client, tech } = await pairSession(relay.wsUrl);
    const techSocket = (tech.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    techSocket.pause();
    for (let seq = 0; seq < 100; seq++) client.sendRaw(frame(seq));
    await eventually(() => relay.hub.stats().framesForwarded === 100, 10_000, 'frames to arrive');
    client.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 800, height: 600, primary: true }], streaming: 0 });
    techSocket.resume();
    expect((await tech.until('screen-info', 10_000)).displays[0]!.width).toBe(800);
    expect(relay.hub.counts().paired).toBe(1);
  });

  test('a client that never reads its input is cut off once its backlog passes the limit: the technician is told why and the session is gone', async () => {
    relay = await startTestRelay({ controlBacklogBytes: 64 * 1024, frameBacklogBytes: 64 * 1024, maxFrameBytes: 64 * 1024 });
    const { client, tech } = await pairSession(relay.wsUrl);
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'x'.repeat(4000);
    let seq = 0;
    // Kernel buffers take the first few megabytes; keep sending until the relay gives up.
    const sender = setInterval(() => {
      for (let i = 0; i < 50; i++) tech.sendJson({ type: 'input', seq: seq++, event: { kind: 'text', text } });
    }, 20);
    try {
      expect((await tech.until('error', 30_000)).code).toBe(Errors.LIMIT_BACKLOG.code);
      expect((await tech.closed).code).toBe(CloseCode.BACKLOG);
    } finally {
      clearInterval(sender);
    }
    expect(relay.hub.registry.size).toBe(0);
  });
});

