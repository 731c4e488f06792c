/**
 * A pass-through in front of the relay that takes names out of the relay's `welcome`
 * features: its peers then believe they talk to a relay that does not route them, and do not
 * use them. Tests use it as an older relay (`'all'`: no `features` at all, as before they
 * existed); the glass benchmark uses it to measure the agent with and without half-resolution
 * motion (`scaled-frames`) in the same run and from the same build. Everything else (sealed
 * text, binary frames) passes unread, as it came.
 */
import WebSocket, { WebSocketServer } from 'ws';

export interface FeatureFilter {
  /** Where peers connect instead of the relay (the relay's path, on the filter's port). */
  readonly wsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a filter on 127.0.0.1 (port 0) forwarding to `relayWsUrl` without the `drop`
 * features, or without the `features` field at all for `'all'`.
 */
export async function startFeatureFilter(relayWsUrl: string, drop: readonly string[] | 'all'): Promise<FeatureFilter> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (peer) => {
    const upstream = new WebSocket(relayWsUrl);
    const early: [Buffer, boolean][] = [];
    upstream.on('open', () => { for (const [data, binary] of early.splice(0)) upstream.send(data, { binary }); });
    peer.on('message', (data: Buffer, binary: boolean) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else early.push([data, binary]);
    });
    upstream.on('message', (data: Buffer, binary: boolean) => {
      peer.send(binary ? data : withoutFeatures(data.toString('utf8'), drop), { binary });
    });
    const closeBoth = (): void => { peer.close(); upstream.close(); };
    peer.on('close', closeBoth);
    upstream.on('close', closeBoth);
    peer.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  const { port } = server.address() as { port: number };
  return {
    wsUrl: `ws://127.0.0.1:${port}${new URL(relayWsUrl).pathname}`,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

/** The same text message, or a `welcome` whose `features` lack the dropped names (or are gone). */
function withoutFeatures(text: string, drop: readonly string[] | 'all'): string {
  if (!text.includes('"welcome"')) return text;
  const message = JSON.parse(text) as { type?: string; features?: unknown };
  if (message.type !== 'welcome' || !Array.isArray(message.features)) return text;
  if (drop === 'all') {
    const { features: _dropped, ...older } = message;
    return JSON.stringify(older);
  }
  return JSON.stringify({ ...message, features: message.features.filter((name) => !drop.includes(String(name))) });
}
