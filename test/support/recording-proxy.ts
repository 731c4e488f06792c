import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the real relay that keeps every byte the relay sends to its
 * peers, that is everything it forwarded (WebSocket frames from a server are not masked,
 * so whatever the relay could read is there as it read it). Peers connect to `wsUrl`
 * instead of the relay's address.
 */
export interface RecordingProxy {
  /** The relay's WebSocket address, through the proxy. */
  readonly wsUrl: string;
  /** Everything the relay sent to any peer so far, in one buffer. */
  fromRelay(): Buffer;
  close(): Promise<void>;
}

/** `relayWsUrl`: the real relay's WebSocket address (ws://127.0.0.1:port/path). */
export async function startRecordingProxy(relayWsUrl: string): Promise<RecordingProxy> {
  const target = new URL(relayWsUrl);
  const relayPort = Number(target.port);
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((peer) => {
    const upstream = createConnection({ host: '127.0.0.1', port: relayPort });
    for (const s of [peer, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { peer.destroy(); upstream.destroy(); });
    }
    upstream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    peer.pipe(upstream);
    upstream.pipe(peer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    fromRelay: () => Buffer.concat(chunks),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
