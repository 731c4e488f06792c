import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the real relay whose links a test can cut, as a Wi-Fi change
 * does: both TCP connections of every link are destroyed at once, without a WebSocket
 * close frame, so each side learns only that the connection is gone. While `refusing`,
 * new connections are cut as soon as they come (the network is still down).
 */
export interface CuttableProxy {
  /** The relay's WebSocket address, through the proxy. */
  readonly wsUrl: string;
  /** Links open now. */
  readonly openLinks: number;
  /** Cuts every open link. */
  cutAll(): void;
  /**
   * Every open link stops carrying anything, in both directions, but stays open: a network
   * change that leaves a dead connection behind, noticed only by heartbeats.
   */
  stallAll(): void;
  /** While true, new links are cut on arrival. */
  refusing: boolean;
  /** New links go to this relay from now on (a peer whose relay died reaching another one). */
  retarget(relayWsUrl: string): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(relayWsUrl: string): Promise<CuttableProxy> {
  let target = new URL(relayWsUrl);
  const links = new Set<readonly [Socket, Socket]>();
  const state = { refusing: false };
  const server = createServer((peer) => {
    if (state.refusing) {
      peer.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: Number(target.port) });
    const link = [peer, upstream] as const;
    links.add(link);
    const cut = (): void => {
      links.delete(link);
      peer.destroy();
      upstream.destroy();
    };
    for (const s of link) {
      s.on('close', cut);
      s.on('error', cut);
    }
    peer.pipe(upstream);
    upstream.pipe(peer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const cutAll = (): void => {
    for (const [a, b] of [...links]) {
      a.destroy();
      b.destroy();
    }
    links.clear();
  };
  const stallAll = (): void => {
    for (const [peer, upstream] of links) {
      peer.unpipe(upstream);
      upstream.unpipe(peer);
      // Whatever still comes is swallowed, as by a network that is gone.
      peer.on('data', () => undefined);
      upstream.on('data', () => undefined);
    }
  };
  return {
    stallAll,
    retarget(url: string) {
      target = new URL(url);
    },
    wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    get openLinks() {
      return links.size;
    },
    cutAll,
    get refusing() {
      return state.refusing;
    },
    set refusing(value: boolean) {
      state.refusing = value;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
