import { createHash } from 'node:crypto';
import { encodeBase64Url, FILE_WINDOW_BYTES, type FileTransferMessage } from '../../protocol';

/** What one side sends: a sealed text message, or a FILE_CHUNK (binary on the wire). */
type ChunkWire = { readonly type: 'file-chunk'; readonly id: number; readonly offset: number; readonly data: Uint8Array };
type Wire = FileTransferMessage | ChunkWire;
import type { FileSink, FileSource, Hasher } from '../files/file-io';
import { FileTransfers, type TransferHost, type TransferInfo, type TransferOutcome } from '../files/file-transfers';

/** Two sides of the transfer logic back to back, messages passed in order through a queue the test can read and tamper with. */
const hasher = (): Hasher => {
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), digest: () => new Uint8Array(h.digest()) };
};

function memorySource(bytes: Uint8Array, name = 'datos.bin'): FileSource & { closed: boolean } {
  const source = {
    name, size: bytes.length, closed: false,
    read: async (offset: number, length: number) => bytes.slice(offset, offset + length),
    close: async () => { source.closed = true; },
  };
  return source;
}

class MemorySink implements FileSink {
  readonly parts: Uint8Array[] = [];
  state: 'open' | 'kept' | 'discarded' = 'open';
  async write(bytes: Uint8Array): Promise<void> { this.parts.push(bytes); }
  async commit(): Promise<string> { this.state = 'kept'; return 'saved.bin'; }
  async discard(): Promise<void> { this.state = 'discarded'; this.parts.length = 0; }
  get bytes(): Buffer { return Buffer.concat(this.parts); }
}

interface Side {
  transfers: FileTransfers;
  sinks: MemorySink[];
  finished: { info: TransferInfo; outcome: TransferOutcome }[];
  progress: TransferInfo[];
  outbox: Wire[];
}

function side(role: 'technician' | 'client', overrides: Partial<TransferHost> = {}, maxFileBytes = 1 << 30): Side {
  const s: Side = { sinks: [], finished: [], progress: [], outbox: [], transfers: undefined as unknown as FileTransfers };
  s.transfers = new FileTransfers({
    role, send: (m) => s.outbox.push(m), maxFileBytes, chunksPerSecond: 1e9,
    sendChunk: (id, offset, data) => s.outbox.push({ type: 'file-chunk', id, offset, data }),
    host: {
      openIncoming: async () => { const sink = new MemorySink(); s.sinks.push(sink); return sink; },
      createHasher: hasher,
      onProgress: (info) => s.progress.push(info),
      onFinished: (info, outcome) => s.finished.push({ info, outcome }),
      ...overrides,
    },
  });
  return s;
}

/** Delivers every queued message both ways until both sides are quiet. */
async function run(a: Side, b: Side, tamper: (m: Wire, from: Side) => Wire | undefined = (m) => m): Promise<void> {
  for (let quiet = 0; quiet < 5;) {
    await new Promise((r) => setImmediate(r));
    if (a.outbox.length === 0 && b.outbox.length === 0) { quiet++; continue; }
    quiet = 0;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (const m of from.outbox.splice(0)) {
        const out = tamper(m, from);
        if (out === undefined) continue;
        if (out.type === 'file-chunk') to.transfers.handleChunk(out.id, out.offset, out.data);
        else to.transfers.handle(out);
      }
    }
  }
}

/** Lets promise callbacks run until `condition` holds; fails after `turns` event-loop turns. */
async function until(condition: () => boolean, what: string, turns = 1000): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn >= turns) throw new Error(`${what}: not within ${turns} turns`);
    await new Promise((r) => setImmediate(r));
  }
}

const bytesOf = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
};

describe('FileTransfers', () => {
  test('a file offered by the technician arrives whole, progress rises to 100 %, and the source is closed', async () => {
    const tech = side('technician');
    const client = side('client');
    const data = bytesOf(1_000_003);
    const source = memorySource(data);
    const id = tech.transfers.offer(source)!;
    await run(tech, client);
    expect(client.sinks[0]!.state).toBe('kept');
    expect(createHash('sha256').update(client.sinks[0]!.bytes).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(tech.finished).toEqual([expect.objectContaining({ outcome: 'sent' })]);
    expect(client.finished).toEqual([expect.objectContaining({ outcome: 'saved' })]);
    const percents = tech.progress.filter((p) => p.id === id).map((p) => p.progress.percent);
    expect(percents.at(-1)).toBe(100);
    expect([...percents].sort((x, y) => x - y)).toEqual(percents);
    expect(client.progress.at(-1)!.progress.percent).toBe(100);
    expect(source.closed).toBe(true);
    expect(tech.transfers.activeCount + client.transfers.activeCount).toBe(0);
  });

  test('never more than the window in flight beyond the last acknowledgement', async () => {
    const tech = side('technician');
    const client = side('client');
    tech.transfers.offer(memorySource(bytesOf(3 * FILE_WINDOW_BYTES)));
    let sent = 0;
    let acked = 0;
    let most = 0;
    await run(tech, client, (m) => {
      if (m.type === 'file-chunk') { sent = m.offset + m.data.length; most = Math.max(most, sent - acked); }
      if (m.type === 'file-ack') acked = m.received;
      return m;
    });
    expect(most).toBeLessThanOrEqual(FILE_WINDOW_BYTES);
    expect(client.finished[0]!.outcome).toBe('saved');
  });

  test('a file asked for: the customer picks it, it arrives; picking none sends nothing', async () => {
    const data = bytesOf(70_000);
    const tech = side('technician');
    const client = side('client', { pickFile: async () => memorySource(data, 'registro.txt') });
    tech.transfers.request();
    await run(tech, client);
    expect(tech.sinks[0]!.bytes.equals(Buffer.from(data))).toBe(true);
    expect(tech.finished[0]).toEqual(expect.objectContaining({ outcome: 'saved', info: expect.objectContaining({ name: 'registro.txt' }) }));

    const tech2 = side('technician');
    const client2 = side('client', { pickFile: async () => undefined });
    tech2.transfers.request();
    const seen: string[] = [];
    await run(tech2, client2, (m) => { seen.push(m.type); return m; });
    expect(seen).toEqual(['file-request', 'file-decline']);
    expect(tech2.finished[0]!.outcome).toBe('declined');
  });

  test('declining sends no byte', async () => {
    const tech = side('technician');
    const client = side('client', { openIncoming: async () => 'declined' });
    const source = memorySource(bytesOf(100_000));
    tech.transfers.offer(source);
    const seen: string[] = [];
    await run(tech, client, (m) => { seen.push(m.type); return m; });
    expect(seen).toEqual(['file-offer', 'file-decline']);
    expect(tech.finished[0]!.outcome).toBe('declined');
    expect(source.closed).toBe(true);
  });

  test('a cancel half-way leaves nothing on the receiving side, from either side', async () => {
    for (const canceller of ['technician', 'client'] as const) {
      const tech = side('technician');
      const client = side('client');
      const id = tech.transfers.offer(memorySource(bytesOf(2_000_000)))!;
      let chunks = 0;
      await run(tech, client, (m, from) => {
        if (m.type === 'file-chunk' && ++chunks === 20) (canceller === 'technician' ? tech : client).transfers.cancel(id);
        return from === tech || m.type !== 'file-ack' ? m : m;
      });
      expect(client.sinks[0]!.state).toBe('discarded');
      expect(tech.transfers.activeCount + client.transfers.activeCount).toBe(0);
      expect(tech.finished[0]!.outcome).toBe(canceller === 'technician' ? 'cancelled' : 'cancelled-by-peer');
    }
  });

  test('a corrupt file is not kept', async () => {
    const tech = side('technician');
    const client = side('client');
    tech.transfers.offer(memorySource(bytesOf(50_000)));
    await run(tech, client, (m) => (m.type === 'file-end' ? { ...m, sha256: encodeBase64Url(new Uint8Array(32)) } : m));
    expect(client.sinks[0]!.state).toBe('discarded');
    expect(tech.finished[0]!.outcome).toBe('corrupt');
  });

  test('a hostile sender: a gap, an overlap, more than offered, more than the window, an end too early: that transfer ends, nothing kept', async () => {
    const attacks: [string, (m: Wire) => Wire][] = [
      ['gap', (m) => (m.type === 'file-chunk' && m.offset > 0 ? { ...m, offset: m.offset + 1 } : m)],
      ['overlap', (m) => (m.type === 'file-chunk' && m.offset > 0 ? { ...m, offset: m.offset - 1 } : m)],
      ['past the size', (m) => (m.type === 'file-offer' ? { ...m, size: 10 } : m)],
      ['end too early', (m) => (m.type === 'file-chunk' && m.offset > 0 ? { type: 'file-end', id: m.id, sha256: encodeBase64Url(new Uint8Array(32)) } : m)],
    ];
    for (const [, attack] of attacks) {
      const tech = side('technician');
      const client = side('client');
      tech.transfers.offer(memorySource(bytesOf(100_000)));
      await run(tech, client, (m, from) => (from === tech ? attack(m) : m));
      expect(client.sinks[0]?.state ?? 'discarded').toBe('discarded');
      expect(client.transfers.activeCount).toBe(0);
    }
    // More than the window: the receiver never acknowledges, the sender is made to ignore that.
    const client = side('client');
    client.transfers.handle({ type: 'file-offer', id: 1, name: 'x', size: 10 * FILE_WINDOW_BYTES });
    await new Promise((r) => setImmediate(r));
    const chunk = bytesOf(16 * 1024);
    for (let offset = 0; offset <= FILE_WINDOW_BYTES; offset += 16 * 1024) client.transfers.handleChunk(1, offset, chunk);
    await until(() => client.sinks[0]?.state === 'discarded', 'the partial file discarded');
    expect(client.outbox.at(-1)).toEqual({ type: 'file-cancel', id: 1, reason: 'refused' });
    expect(client.sinks[0]!.state).toBe('discarded');
  });

  test('the customer side refuses what only the technician may start, numbers used twice, too many at once and files too big', async () => {
    const client = side('client', {}, 1000);
    client.transfers.handle({ type: 'file-offer', id: 5, name: 'a', size: 1001 });
    expect(client.outbox.at(-1)).toEqual({ type: 'file-decline', id: 5, reason: 'too-large' });
    client.transfers.handle({ type: 'file-offer', id: 5, name: 'a', size: 10 });
    client.transfers.handle({ type: 'file-offer', id: 4, name: 'a', size: 10 });
    expect(client.outbox).toHaveLength(1);
    for (let id = 6; id < 10; id++) client.transfers.handle({ type: 'file-offer', id, name: 'a', size: 10 });
    await new Promise((r) => setImmediate(r));
    client.transfers.handle({ type: 'file-offer', id: 10, name: 'a', size: 10 });
    expect(client.outbox.at(-1)).toEqual({ type: 'file-decline', id: 10, reason: 'busy' });
    // The technician's side refuses an offer it did not ask for and an acknowledgement of bytes it never sent.
    const tech = side('technician');
    tech.transfers.handle({ type: 'file-offer', id: 1, name: 'a', size: 10 });
    expect(tech.outbox).toEqual([]);
    const id = tech.transfers.offer(memorySource(bytesOf(100)))!;
    tech.transfers.handle({ type: 'file-accept', id });
    tech.transfers.handle({ type: 'file-ack', id, received: 1_000_000 });
    await new Promise((r) => setImmediate(r));
    expect(tech.outbox.at(-1)).toEqual({ type: 'file-cancel', id, reason: 'refused' });
  });

  test('a dropped connection: chunks lost on the way are sent again from where the receiver stopped, the end after them, and the file arrives whole', async () => {
    const tech = side('technician');
    const client = side('client');
    const data = bytesOf(1_500_000);
    tech.transfers.offer(memorySource(data));
    let chunks = 0;
    let dropping = false;
    await run(tech, client, (m) => {
      if (m.type === 'file-chunk' && ++chunks === 8) {
        // The connection drops: these chunks and the ones after it are lost until both sides are back.
        dropping = true;
        tech.transfers.connectionLost();
        client.transfers.connectionLost();
        setImmediate(() => {
          dropping = false;
          tech.transfers.connectionBack();
          client.transfers.connectionBack();
        });
      }
      return dropping && m.type === 'file-chunk' ? undefined : m;
    });
    expect(client.finished[0]!.outcome).toBe('saved');
    expect(createHash('sha256').update(client.sinks[0]!.bytes).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(tech.finished[0]!.outcome).toBe('sent');
  });

  test('closing (the session ended) frees everything at once', async () => {
    const tech = side('technician');
    const client = side('client');
    const source = memorySource(bytesOf(1_000_000));
    tech.transfers.offer(source);
    let chunks = 0;
    await run(tech, client, (m) => {
      if (m.type === 'file-chunk' && ++chunks === 5) { void tech.transfers.close(); void client.transfers.close(); }
      return m;
    });
    expect(source.closed).toBe(true);
    expect(client.sinks[0]!.state).toBe('discarded');
    expect(tech.finished[0]!.outcome).toBe('ended');
  });
});
