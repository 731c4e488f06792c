import { randomBytes } from 'node:crypto';
import { encodeFileChunk, Errors, MAX_FILE_CHUNK_BYTES } from '../../protocol';
import type { Relay } from '../../relay/server';
import { pairSealed } from '../support/sealed-peers';
import { eventually, startTestRelay } from '../support/relay-harness';

/**
 * Files through the relay, attacked (issue 15 item 2). The relay cannot read a sealed file
 * message, so it judges by who sends which inner type when, and counts the bytes of sealed
 * chunks against the session's budget; the peers judge the rest (unit tests of the transfer
 * logic). Each refusal costs only the connection or session that earned it.
 */
describe('file transfer attacks on a real relay', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('from the wrong peer or in clear: refused with a stable code, nothing forwarded, the session goes on', async () => {
    relay = await startTestRelay();
    const { client, tech } = await pairSealed(relay.wsUrl);
    // In clear, from either side: never (a sealed session carries files only sealed).
    for (const side of [client, tech]) {
      side.peer.sendJson({ type: 'file-offer', id: 1, name: '../../x', size: 1 });
      expect((await side.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    }
    // None of it reached the other side: the next thing the customer gets is the technician's real offer.
    await tech.send({ type: 'file-offer', id: 1, name: 'a.txt', size: 3 });
    expect(await client.receive()).toEqual({ type: 'file-offer', id: 1, name: 'a.txt', size: 3 });
    await client.send({ type: 'file-accept', id: 1 });
    expect(await tech.receive()).toEqual({ type: 'file-accept', id: 1 });
    // Only the technician asks for a file: the customer's side's request is refused and not
    // forwarded (the technician would see a gap in the customer's records, and end the session).
    await client.send({ type: 'file-request', id: 2 });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    await client.send({ type: 'chat', text: 'después' });
    expect((await tech.peer.until('sealed')).inner).toBe('chat');
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('a flood of file chunks past the session\'s budget ends that session only, with RS_ERR_LIMIT_FILE_BYTES for both sides', async () => {
    relay = await startTestRelay({ maxFileBytesPerSession: 1024 * 1024 });
    const victim = await pairSealed(relay.wsUrl);
    const other = await pairSealed(relay.wsUrl);
    const data = new Uint8Array(randomBytes(MAX_FILE_CHUNK_BYTES));
    // The chunks need not belong to any transfer: the relay counts what passes, whatever it claims to be.
    for (let i = 0; i < 30; i++) await victim.tech.sendBinary(encodeFileChunk(1, i * MAX_FILE_CHUNK_BYTES, data));
    expect((await victim.client.peer.until('error', 10_000)).code).toBe(Errors.LIMIT_FILE_BYTES.code);
    expect((await victim.tech.peer.until('error', 10_000)).code).toBe(Errors.LIMIT_FILE_BYTES.code);
    expect((await victim.client.peer.closed).code).toBe(Errors.LIMIT_FILE_BYTES.closeCode);
    // No more than 1 MiB of chunks got through before the relay stopped them (16 of 64 KiB).
    const through = victim.client.peer.received.filter((r) => r.kind === 'sealed-binary' || (r.kind === 'binary' && r.message.kind === 'file-chunk')).length;
    expect(through).toBe(16);
    // The other session goes on.
    await other.tech.send({ type: 'chat', text: 'sigo aquí' });
    expect(await other.client.receive()).toEqual({ type: 'chat', text: 'sigo aquí' });
    await eventually(() => relay.hub.counts().paired === 1, 5000, 'only the other session left');
  });

  test('a file chunk in clear, or larger than a chunk may be, costs only that socket', async () => {
    relay = await startTestRelay();
    const cases = [
      ['in clear', 'technician', Errors.PROTO_MALFORMED],
      ['too large, from the technician (its messages are bounded at a sealed chunk)', 'technician', Errors.LIMIT_MESSAGE_SIZE],
      ['too large, from the customer\'s side (its envelope is refused)', 'client', Errors.PROTO_MALFORMED],
    ] as const;
    for (const [what, who, error] of cases) {
      const pair = await pairSealed(relay.wsUrl);
      const side = who === 'technician' ? pair.tech : pair.client;
      if (what === 'in clear') side.peer.sendRaw(encodeFileChunk(1, 0, new Uint8Array(100)), true);
      else await side.sendBinary(encodeFileChunk(1, 0, new Uint8Array(MAX_FILE_CHUNK_BYTES + 1)));
      expect((await side.peer.until('error')).code).toBe(error.code);
      expect((await side.peer.closed).code).toBe(error.closeCode);
    }
    await eventually(() => relay.hub.counts().paired === 0, 10_000, 'those sessions to end');
    // The relay goes on: a new pair moves a full chunk both ways.
    const { tech, client } = await pairSealed(relay.wsUrl);
    await tech.sendBinary(encodeFileChunk(1, 0, new Uint8Array(MAX_FILE_CHUNK_BYTES)));
    await client.sendBinary(encodeFileChunk(2, 0, new Uint8Array(MAX_FILE_CHUNK_BYTES)));
    await eventually(() => client.peer.received.some((r) => r.kind === 'sealed-binary' || r.kind === 'binary'), 5000, 'the chunk at the customer\'s side');
    await eventually(() => tech.peer.received.some((r) => r.kind === 'sealed-binary' || r.kind === 'binary'), 5000, 'the chunk at the technician');
  });
});
