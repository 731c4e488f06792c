import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeText, encodeControl, UNSEALED_VERSION, type ControlMessage } from '../../protocol';

/**
 * The stream benchmark's baseline: the least a relay can do. It speaks just enough of the
 * protocol to pair one client with one technician (hello, register → code, join →
 * consent-request, consent → paired) and then copies every message to the other side,
 * with no limits, no backlog control and no logging. The real relay's cost is its
 * figure divided by this one's.
 */
export interface BarePipe {
  readonly wsUrl: string;
  close(): Promise<void>;
}

interface Peer {
  readonly ws: WebSocket;
  role?: 'client' | 'technician';
  name?: string;
}

export async function startBarePipe(): Promise<BarePipe> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  const waiting = new Map<string, Peer>(); // code → client
  const partner = new Map<Peer, Peer>();
  let nextCode = 100000;

  const send = (peer: Peer, message: ControlMessage): void => peer.ws.send(encodeControl(message));

  function onControl(peer: Peer, message: ControlMessage): void {
    switch (message.type) {
      case 'hello':
        peer.role = message.role;
        send(peer, { type: 'welcome', version: UNSEALED_VERSION, heartbeatMs: 60_000, maxFrameBytes: 16 * 1024 * 1024, maxTextBytes: 65536 });
        return;
      case 'register': {
        const code = String(nextCode++);
        peer.name = message.name;
        waiting.set(code, peer);
        send(peer, { type: 'code', code, expiresAt: Date.now() + 600_000, ttlMs: 600_000 });
        return;
      }
      case 'join': {
        const client = waiting.get(message.code);
        if (!client) return;
        waiting.delete(message.code);
        peer.name = message.name;
        partner.set(client, peer);
        partner.set(peer, client);
        send(client, { type: 'consent-request', technicianName: message.name, timeoutMs: 60_000 });
        return;
      }
      case 'consent': {
        const tech = partner.get(peer);
        if (!tech) return;
        const info = (p: Peer) => ({ name: p.name ?? '', legacy: false, wholeFramesOnly: false });
        send(peer, { type: 'paired', sessionId: 'bare', viewOnly: message.viewOnly, peer: info(tech) });
        send(tech, { type: 'paired', sessionId: 'bare', viewOnly: message.viewOnly, peer: info(peer) });
        return;
      }
      default: {
        const other = partner.get(peer);
        if (other) send(other, message);
      }
    }
  }

  wss.on('connection', (ws) => {
    const peer: Peer = { ws };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        partner.get(peer)?.ws.send(data as Buffer, { binary: true });
        return;
      }
      const decoded = decodeText((data as Buffer).toString('utf8'));
      if (decoded.ok) onControl(peer, decoded.message);
    });
    ws.on('close', () => {
      const other = partner.get(peer);
      partner.delete(peer);
      if (other) {
        partner.delete(other);
        other.ws.close();
      }
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
