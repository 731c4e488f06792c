import { Errors } from '../../protocol';
import { ManualClock } from '../../relay/clock';
import type { Relay } from '../../relay/server';
import { legacyCall, startTestRelay } from '../support/relay-harness';

/**
 * Finding 4: a legacy peer's queue was capped in messages (1,000) but not in bytes, each
 * message up to the 8 MiB body limit: 400 MiB were pinned in 2.7 s and a relay with a
 * 256 MiB heap died. And any call, sends included, counted as a sign of life, so a peer
 * that only sends kept its session forever.
 */
describe('attack: filling a legacy mailbox nobody reads', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  async function pair(code: string): Promise<{ client: string; technician: string }> {
    const reg = await legacyCall(relay.url, 'register_client/', { client_id: 'PC', access_code: code });
    const con = await legacyCall(relay.url, 'connect_technician/', { access_code: code });
    return { client: reg.json.session_id, technician: con.json.session_id };
  }

  test('a big non-screen message is refused (413); small ones fill at most 1 MiB, then the session ends', async () => {
    relay = await startTestRelay({ legacySendsPerSecond: 1_000_000 });
    const ids = await pair('515151');
    const big = await legacyCall(relay.url, 'send_message/', { session_id: ids.client, sender: 'client', message: { type: 'note', text: 'x'.repeat(1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe(Errors.LIMIT_MESSAGE_SIZE.code);

    // 15 KiB a message, the technician never polls: past 1 MiB queued the session is over.
    const note = { type: 'note', text: 'y'.repeat(15 * 1024) };
    let sent = 0;
    let last = 200;
    while (last === 200 && sent < 500) {
      last = (await legacyCall(relay.url, 'send_message/', { session_id: ids.client, sender: 'client', message: note })).status;
      if (last === 200) sent++;
    }
    expect(last).toBe(410);
    expect(sent).toBeLessThan(75); // 1 MiB of 15 KiB messages, and a few more that found it ended
    expect(relay.legacy.peer(ids.technician)!.queuedBytes).toBeLessThanOrEqual(1024 * 1024 + 1024);
    expect(relay.hub.counts().paired).toBe(0);
  });

  test('sends are rate-limited per peer (429), and the session goes on', async () => {
    relay = await startTestRelay();
    const ids = await pair('525252');
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 300 }, (_, i) => legacyCall(relay.url, 'send_message/', {
      session_id: ids.technician, sender: 'technician', message: { action: 'mouse_move', x: i, y: i },
    }).then((r) => r.status)));
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // A burst of twice the rate (50/s), and what the rate refilled while the calls came in.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(100 + Math.ceil(50 * seconds));
    const polled = await legacyCall(relay.url, 'receive_messages/', { session_id: ids.client, receiver: 'client' });
    expect(polled.status).toBe(200);
  });

  test('only polls are a sign of life: a peer that only sends is gone after the poll timeout', async () => {
    const clock = new ManualClock();
    relay = await startTestRelay({ legacyPollTimeoutMs: 30_000, sweepIntervalMs: 3_600_000 }, clock);
    const ids = await pair('535353');
    const told: unknown[] = [];
    let endedAfterMs = 0;
    for (let elapsed = 10_000; elapsed <= 40_000 && endedAfterMs === 0; elapsed += 10_000) {
      clock.advance(10_000);
      // The technician only sends; the client polls.
      await legacyCall(relay.url, 'send_message/', { session_id: ids.technician, sender: 'technician', message: { action: 'mouse_move', x: 1, y: 1 } });
      relay.sweep();
      const polled = await legacyCall(relay.url, 'receive_messages/', { session_id: ids.client, receiver: 'client' });
      told.push(...polled.json.messages.map((m: { message: unknown }) => m.message));
      if (relay.hub.counts().paired === 0) endedAfterMs = elapsed;
    }
    expect(endedAfterMs).toBe(30_000);
    expect(told).toContainEqual({ type: 'peer_left', reason: 'timeout' });
  });
});
