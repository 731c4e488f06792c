import { CloseCode, Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

/**
 * Finding 2: a client that stops reading and floods `input` (refused before pairing, each
 * with an error reply) builds up replies in its socket; a technician joining that code
 * then made `enterSession()` throw "connection cannot go from closed to in-session", and
 * the process exited: every session lost. No message from any peer may end the process.
 */
describe('attack: a client that never reads, then a technician joins its code', () => {
  let relay: Relay;
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => { crashes.push(err); };

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    // Small backlogs make the flood pile up in a second instead of minutes; the rate limit is
    // lifted so the flood is only refused for what it is, not for its speed.
    relay = await startTestRelay({
      frameBacklogBytes: 1024, controlBacklogBytes: 1024, maxFrameBytes: 1024, maxMessagesPerSecond: 1_000_000,
    });
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    await relay.close();
  });

  test('the flooder alone is cut; the relay lives, the joiner gets a clear answer, others are served', async () => {
    const bystanders = await pairSession(relay.wsUrl);
    const flooder = await WsTestPeer.hello(relay.wsUrl, 'client');
    flooder.sendJson({ type: 'register', name: 'PC' });
    const { code } = await flooder.next('code');
    (flooder.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const input = JSON.stringify({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
    // Enough error replies to pass every buffer between the relay and the paused reader.
    for (let i = 0; i < 60_000 && flooder.ws.readyState === flooder.ws.OPEN; i++) {
      flooder.sendRaw(input, false);
      if (i % 1000 === 999) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'Ana' });
    // Whichever comes first, the relay's answer is a clean one: the flooder's session ended
    // for not reading (RS_ERR_LIMIT_BACKLOG) or the code is no longer valid.
    const answer = await tech.until('error', 10_000);
    expect([Errors.LIMIT_BACKLOG.code, Errors.CODE_INVALID.code, Errors.SESSION_ENDED.code]).toContain(answer.code);
    expect([CloseCode.BACKLOG, CloseCode.INVALID_CODE, CloseCode.SESSION_ENDED]).toContain((await tech.closed).code);

    expect(crashes).toEqual([]);
    bystanders.tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 3, y: 4 } });
    expect((await bystanders.client.next('input')).event).toEqual({ kind: 'pointer-move', x: 3, y: 4 });
    const fresh = await pairSession(relay.wsUrl);
    fresh.client.close();
    expect(relay.hub.counts().paired).toBeGreaterThanOrEqual(1);
  });
});
