import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { BinaryKind, encodeFrameAck, FrameFlag, SEALING_VERSION, type InputEvent } from '../../protocol';
import { routingPart } from '../../common/access-code';
import { E2eHandshake } from '../../common/e2e/handshake';
import { nodeAead } from '../../common/node/node-aead';
import { joinSealed } from '../../test/support/sealed-peers';
import { WsTestPeer } from '../../test/support/ws-peer';
import { wallClockMs } from './instrument-agent-deps';

/** Hello, join, the key agreement (sealed) and the customer's consent (automatic in the benches), ms. */
const PAIRING_TIMEOUT_MS = 20_000;
/** The name the simulated technician gives (sealed in `introduce`, or in clear in `join`). */
const TECHNICIAN_NAME = 'bench-technician';

/** What the simulated technician has seen so far. */
export interface TechnicianCounters {
  updates: number;
  fullUpdates: number;
  rects: number;
  /** Binary bytes received as they came off the socket (sealed ones with their 24 bytes of sealing), FRAME headers included. */
  bytes: number;
  /**
   * Capture → receipt of each update's LAST rectangle, ms (same machine, same clock); in a
   * sealed session, once that rectangle was opened. The capture time is the agent's whole-ms
   * Date.now(), the receipt this process's sub-ms wall clock (wallClockMs), so the figures
   * are continuous and, on average, 0.5 ms above the true latency in every lane alike.
   */
  latenciesMs: number[];
  /**
   * For the same updates: capture → the LAST rectangle's bytes off the socket, before any
   * opening (the agent, the relay and the sockets), and that arrival → ack (the technician's
   * own part: opening it when sealed, nothing in clear), ms.
   */
  arrivalMs: number[];
  openMs: number[];
  /** Each input event: sendInput → its message handed to the socket (sealing it, when sealed), ms, in order. */
  inputSendMs: number[];
}

export interface TechnicianSim {
  readonly counters: TechnicianCounters;
  /** Whether the session is sealed end to end (the keys verified), as asked. */
  readonly sealed: boolean;
  /** Sends one input event (an `input` message with the next `seq`, sealed in a sealed session), as the viewer does. */
  sendInput(event: InputEvent): void;
  close(): void;
}

export interface JoinOptions {
  /**
   * True: a technician of protocol version 2, exactly as the page does it
   * (test/support/sealed-peers.ts `joinSealed`): hello with SEALING_VERSION, join with the
   * routing digits and no name, the key agreement on the whole code through the real
   * handshake with WebCrypto, the name sent sealed; every frame opened and every ack and
   * input sealed. False: a technician of protocol version 1 (an older app), which pairs with
   * the agent in clear by the routing digits alone.
   */
  readonly sealed: boolean;
  /**
   * The cipher of a sealed technician: `webcrypto` (default) is the page's, through the
   * tests' `joinSealed`; `node` (node:crypto, the agent's) is an investigation tool only: a
   * cheaper technician on this shared machine, to tell the agent's cost of sealing from the
   * stand-in's own.
   */
  readonly aead?: 'webcrypto' | 'node';
}

/**
 * `joinSealed` (test/support/sealed-peers.ts) with node:crypto instead of WebCrypto: hello
 * with SEALING_VERSION, join with the routing digits and no name, the agreement on the whole
 * code (common/e2e/handshake.ts), then the name sealed; resolves once the customer's sealed
 * introduction arrived.
 */
async function joinSealedWithNodeCrypto(wsUrl: string, code: string, name: string): Promise<WsTestPeer> {
  const tech = await WsTestPeer.hello(wsUrl, 'technician', { perMessageDeflate: false }, SEALING_VERSION);
  try {
    tech.sendJson({ type: 'join', code: routingPart(code), name: '' });
    const agreement = new E2eHandshake({ role: 'technician', code, randomBytes: (n) => new Uint8Array(randomBytes(n)), aead: nodeAead });
    for (;;) {
      const m = await tech.next();
      if (m.type !== 'e2e-start' && m.type !== 'e2e-share' && m.type !== 'e2e-confirm') throw new Error(`the agreement got ${m.type}`);
      const step = await agreement.receive(m);
      if (step.kind === 'failed') throw new Error(`the agreement failed: ${step.reason}`);
      for (const message of step.send) tech.sendJson(message);
      if (step.kind === 'verified') {
        tech.sealWith(step.channel);
        break;
      }
    }
    tech.sendJson({ type: 'introduce', name });
    await tech.next('waiting-consent');
    await tech.next('introduce');
    return tech;
  } catch (error) {
    tech.close();
    throw error;
  }
}

/**
 * A technician that joins with the client's code (all the digits the customer reads) and
 * acknowledges every update as soon as its LAST rectangle arrives: the tests' protocol
 * peer (test/support/ws-peer.ts) with its frames counted instead of recorded. It does not
 * decode the JPEGs: a real viewer does that on another machine, and decoding here would
 * take CPU from the agent on this 2-core box. Resolves once the session is paired.
 */
export async function joinAsTechnician(wsUrl: string, code: string, { sealed, aead = 'webcrypto' }: JoinOptions): Promise<TechnicianSim> {
  const counters: TechnicianCounters = { updates: 0, fullUpdates: 0, rects: 0, bytes: 0, latenciesMs: [], arrivalMs: [], openMs: [], inputSendMs: [] };
  /** sendInput calls whose message has not reached the socket yet (they go in order). */
  const inputCalls: number[] = [];
  /** When each update's LAST rectangle came off the socket, by seq: the envelope is in clear even when sealed. */
  const arrivedAt = new Map<number, number>();
  let peer: WsTestPeer | undefined;
  try {
    if (sealed) {
      // Resolves once the keys verified, the relay put the question to the customer and the
      // customer's sealed introduction arrived; frames come only after `paired`.
      peer = aead === 'node'
        ? await withTimeout(joinSealedWithNodeCrypto(wsUrl, code, TECHNICIAN_NAME), PAIRING_TIMEOUT_MS, 'the key agreement')
        : (await withTimeout(joinSealed(wsUrl, code, TECHNICIAN_NAME), PAIRING_TIMEOUT_MS, 'the key agreement')).tech;
    } else {
      peer = await WsTestPeer.hello(wsUrl, 'technician', { perMessageDeflate: false });
      peer.sendJson({ type: 'join', code: routingPart(code), name: TECHNICIAN_NAME });
    }
    const p = peer;
    // Before the peer's own listener, which opens sealed messages (asynchronously) or
    // hands plain ones to the handler below at once.
    p.ws.prependListener('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary && data.length >= 8 && data[0] === BinaryKind.FRAME && (data[1]! & FrameFlag.LAST) !== 0) arrivedAt.set(data.readUInt32BE(4), wallClockMs());
    });
    // Input messages as they go to the socket: `{"type":"input",…}` in clear, `{"type":"sealed","inner":"input",…}` sealed.
    const send = p.ws.send.bind(p.ws) as (data: unknown, ...rest: unknown[]) => void;
    (p.ws as { send: unknown }).send = (data: unknown, ...rest: unknown[]): void => {
      if (typeof data === 'string' && (data.startsWith('{"type":"input"') || data.includes('"inner":"input"'))) {
        const calledAt = inputCalls.shift();
        if (calledAt !== undefined) counters.inputSendMs.push(wallClockMs() - calledAt);
      }
      send(data, ...rest);
    };
    p.handleBinary((message, raw) => {
      counters.bytes += raw.byteLength;
      if (message.kind !== 'frame') return;
      const { header } = message;
      counters.rects++;
      if (header.flags & FrameFlag.LAST) {
        counters.updates++;
        if (header.flags & FrameFlag.FULL) counters.fullUpdates++;
        const now = wallClockMs();
        counters.latenciesMs.push(now - header.captureTimeMs);
        const arrived = arrivedAt.get(header.seq) ?? now;
        arrivedAt.delete(header.seq);
        counters.arrivalMs.push(arrived - header.captureTimeMs);
        counters.openMs.push(now - arrived);
        // Sealed by the peer in a sealed session (WsTestPeer.sealWith).
        p.sendRaw(encodeFrameAck(header.seq, header.captureTimeMs));
      }
    });
    // The relay says waiting-consent first; the bare pipe goes straight to paired.
    await p.until('paired', PAIRING_TIMEOUT_MS);
  } catch (error) {
    peer?.close();
    throw error;
  }
  const p = peer;
  if (p.sealed !== sealed) {
    p.close();
    throw new Error(`asked for a ${sealed ? 'sealed' : 'plain'} session, got a ${p.sealed ? 'sealed' : 'plain'} one`);
  }
  return {
    counters,
    sealed: p.sealed,
    sendInput: (event) => {
      if (p.ws.readyState !== WebSocket.OPEN) return;
      inputCalls.push(wallClockMs());
      p.sendInput(event);
    },
    close: () => p.close(),
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
