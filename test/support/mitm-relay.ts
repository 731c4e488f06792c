import { randomBytes, randomInt, webcrypto } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import {
  decodeText, encodeBase64Url, encodeControl, Errors, SEALING_VERSION,
  type ControlMessage, type E2eConfirmMessage, type E2eShareMessage,
} from '../../protocol';
import { E2eHandshake, type HandshakeStep } from '../../common/e2e/handshake';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { nodeAead } from '../../common/node/node-aead';

/**
 * A malicious relay for tests: it assigns the six routing digits (so it knows them, as the
 * real relay does) and, instead of passing the key agreement along, runs an agreement of
 * its own with each side: toward the customer it plays the technician, toward the
 * technician it plays the customer, both keyed on the routing digits and its guess of the
 * secret ones. Were it to verify with both, it would hold both sessions' keys and could
 * read and rewrite everything. It only ever does with the right guess.
 *
 * Toward the customer it behaves like the real relay after a failure (an error, then a
 * fresh code), so the test sees what the customer's agent does with it.
 */
export interface MitmRelay {
  readonly wsUrl: string;
  /** The secret digits it will try; set before the technician joins. */
  guess: string;
  /** Sides that verified the relay's own agreement: both would mean it stands in the middle. */
  readonly verifiedBy: Set<'client' | 'technician'>;
  /** `e2e-failed` reasons the sides sent it. */
  readonly failuresReported: { readonly from: 'client' | 'technician'; readonly reason: string }[];
  /** Codes it gave the customer, in order. */
  readonly codesIssued: string[];
  close(): Promise<void>;
}

/** What a test relay of protocol 2 says to `hello`. */
export const TEST_RELAY_WELCOME = { type: 'welcome', version: SEALING_VERSION, heartbeatMs: 30_000, maxFrameBytes: 1 << 20, maxTextBytes: 65_536 } as const;

function sixDigits(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export async function startMitmRelay(): Promise<MitmRelay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const binding = encodeBase64Url(new Uint8Array(randomBytes(16)));
  const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
  let client: WebSocket | undefined;
  let technician: WebSocket | undefined;
  let routing = '';
  let asTechnician: E2eHandshake | undefined;
  let asClient: E2eHandshake | undefined;

  const send = (ws: WebSocket | undefined, message: ControlMessage): void => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(encodeControl(message));
  };
  const issueCode = (): void => {
    routing = sixDigits();
    relay.codesIssued.push(routing);
    send(client, { type: 'code', code: routing, expiresAt: Date.now() + 600_000, ttlMs: 600_000 });
  };
  /** Sends what one of its own handshakes says to send, to `to`; notes a verification. */
  const follow = (step: HandshakeStep, to: WebSocket | undefined, side: 'client' | 'technician'): void => {
    if (step.kind === 'failed') {
      // Its guess was wrong: it cannot make a valid confirmation, so it sends a made-up one.
      send(to, { type: 'e2e-confirm', mac: encodeBase64Url(random(32)) });
      return;
    }
    if (step.kind === 'verified') relay.verifiedBy.add(side);
    for (const m of step.send) send(to, m);
  };

  const relay: MitmRelay = {
    wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    guess: '000',
    verifiedBy: new Set(),
    failuresReported: [],
    codesIssued: [],
    async close() {
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('connection', (ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const decoded = decodeText(data.toString('utf8'));
      if (!decoded.ok) return;
      const m = decoded.message;
      void (async () => {
        switch (m.type) {
          case 'hello':
            if (m.role === 'client') client = ws;
            else technician = ws;
            return send(ws, TEST_RELAY_WELCOME);
          case 'register':
            return issueCode();
          case 'join': {
            if (m.code !== routing) return send(ws, { type: 'error', code: Errors.CODE_INVALID.code, message: Errors.CODE_INVALID.message });
            const guessed = routing + relay.guess;
            asTechnician = new E2eHandshake({ role: 'technician', code: guessed, randomBytes: random, aead: webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto) });
            asClient = new E2eHandshake({ role: 'client', code: guessed, randomBytes: random, aead: nodeAead });
            send(client, { type: 'e2e-start', binding });
            send(technician, { type: 'e2e-start', binding });
            follow(await asTechnician.receive({ type: 'e2e-start', binding }), client, 'client');
            follow(await asClient.receive({ type: 'e2e-start', binding }), technician, 'technician');
            return;
          }
          case 'e2e-share':
          case 'e2e-confirm': {
            // Each side's agreement message goes into the relay's own agreement with that side.
            const own = ws === client ? asTechnician : asClient;
            const side = ws === client ? 'client' : 'technician';
            if (own === undefined) return;
            follow(await own.receive(m as E2eShareMessage | E2eConfirmMessage), ws, side);
            return;
          }
          case 'e2e-failed': {
            const from = ws === client ? 'client' : 'technician';
            relay.failuresReported.push({ from, reason: m.reason });
            if (from === 'client') {
              // Looks honest from here on: the technician is turned away, the customer gets a fresh code.
              send(technician, { type: 'error', code: Errors.E2E_FAILED.code, message: Errors.E2E_FAILED.message });
              send(client, { type: 'error', code: Errors.E2E_FAILED.code, message: Errors.E2E_FAILED.message });
              issueCode();
            }
            return;
          }
          default:
            return;
        }
      })();
    });
  });
  return relay;
}
