import { CloseCode, Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSession, WsTestPeer } from '../support/ws-peer';

describe('dead peers', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('a peer that stops answering pings (no close frame, no FIN) is dropped and the other side told', async () => {
    // A short interval stands in for the default 10 s: two missed pings, then the drop.
    relay = await startTestRelay({ heartbeatIntervalMs: 50 });
    // autoPong: false makes this socket look like a machine that vanished off the network.
    const { client, tech } = await pairSession(relay.wsUrl, { techOptions: { autoPong: false } });
    expect(await client.next('peer-left', 5000)).toEqual({ type: 'peer-left', reason: 'timeout' });
    expect((await client.closed).code).toBe(CloseCode.SESSION_ENDED);
    expect(relay.hub.registry.size).toBe(0);
    // A silent peer that still reads is told why (docs/PROTOCOL.md §1); one that is really
    // gone never sees it and is cut when the closing handshake times out.
    expect((await tech.until('error', 5000)).code).toBe(Errors.TIMEOUT_HEARTBEAT.code);
    expect((await tech.closed).code).toBe(CloseCode.TIMEOUT);
  });

  test('a live peer that answers pings is kept across many heartbeats', async () => {
    // Short enough to see ten in a couple of seconds, long enough that a busy test machine's
    // event loop (relay and peers share it here) answers each before the next.
    relay = await startTestRelay({ heartbeatIntervalMs: 200 });
    const { client, tech } = await pairSession(relay.wsUrl);
    // Both peers answer by themselves (autoPong); wait until each has seen ten pings.
    const tenPings = (peer: WsTestPeer): Promise<void> => new Promise((resolve, reject) => {
      let pings = 0;
      const deadline = setTimeout(() => reject(new Error(`${peer === client ? 'client' : 'technician'}: only ${pings} pings in 15 s`)), 15_000);
      peer.ws.on('ping', () => {
        if (++pings < 10) return;
        clearTimeout(deadline);
        resolve();
      });
    });
    await Promise.all([tenPings(client), tenPings(tech)]);
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
    expect((await client.next('input')).seq).toBe(0);
    expect(relay.hub.counts().paired).toBe(1);
  });

  test('a relay whose own event loop was held up does not drop peers whose pongs wait unread', async () => {
    relay = await startTestRelay({ heartbeatIntervalMs: 50 });
    const { client, tech } = await pairSession(relay.wsUrl);
    // Wait for a ping to go out, then hold this process (the relay's) busy past the next
    // tick: the peers' pongs arrive meanwhile and sit unread in the relay's sockets.
    await new Promise<void>((resolve) => client.ws.once('ping', () => resolve()));
    const until = Date.now() + 300;
    while (Date.now() < until) { /* the relay cannot read anything now */ }
    // Ten more heartbeats afterwards, and the session is still there.
    await new Promise<void>((resolve, reject) => {
      let pings = 0;
      const deadline = setTimeout(() => reject(new Error(`only ${pings} pings after the stall`)), 10_000);
      client.ws.on('ping', () => {
        if (++pings < 10) return;
        clearTimeout(deadline);
        resolve();
      });
      client.ws.once('close', (code) => reject(new Error(`the client was dropped (${code})`)));
    });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
    expect((await client.next('input')).seq).toBe(0);
  });

  test('a socket cut abruptly (TCP reset) ends the session for the other side', async () => {
    relay = await startTestRelay();
    const { client, tech } = await pairSession(relay.wsUrl);
    (client.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    expect(await tech.next('peer-left')).toEqual({ type: 'peer-left', reason: 'closed' });
  });
});
