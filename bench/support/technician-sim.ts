import WebSocket from 'ws';
import { encodeFrameAck, FrameFlag, type InputEvent } from '../../protocol';
import { WsTestPeer } from '../../test/support/ws-peer';

/** Hello, join and the customer's consent (automatic in the benches), ms. */
const PAIRING_TIMEOUT_MS = 20_000;

/** What the simulated technician has seen so far. */
export interface TechnicianCounters {
  updates: number;
  fullUpdates: number;
  rects: number;
  /** Binary bytes received, FRAME headers included. */
  bytes: number;
  /** Capture → receipt of each update's LAST rectangle, ms (same machine, same clock). */
  latenciesMs: number[];
}

export interface TechnicianSim {
  readonly counters: TechnicianCounters;
  /** Sends one input event (an `input` message with the next `seq`), as the viewer does. */
  sendInput(event: InputEvent): void;
  close(): void;
}

/**
 * A technician that joins with the client's code and acknowledges every update as soon
 * as its LAST rectangle arrives: the tests' protocol peer (test/support/ws-peer.ts) with
 * its frames counted instead of recorded. It does not decode the JPEGs: a real viewer
 * does that on another machine, and decoding here would take CPU from the agent on this
 * 2-core box. Resolves once the session is paired.
 */
export async function joinAsTechnician(wsUrl: string, code: string): Promise<TechnicianSim> {
  const counters: TechnicianCounters = { updates: 0, fullUpdates: 0, rects: 0, bytes: 0, latenciesMs: [] };
  const peer = await WsTestPeer.hello(wsUrl, 'technician', { perMessageDeflate: false });
  peer.handleBinary((message, raw) => {
    counters.bytes += raw.byteLength;
    if (message.kind !== 'frame') return;
    const { header } = message;
    counters.rects++;
    if (header.flags & FrameFlag.LAST) {
      counters.updates++;
      if (header.flags & FrameFlag.FULL) counters.fullUpdates++;
      counters.latenciesMs.push(Date.now() - header.captureTimeMs);
      peer.sendRaw(encodeFrameAck(header.seq, header.captureTimeMs));
    }
  });
  try {
    peer.sendJson({ type: 'join', code, name: 'bench-technician' });
    // The relay says waiting-consent first; the bare pipe goes straight to paired.
    await peer.until('paired', PAIRING_TIMEOUT_MS);
  } catch (error) {
    peer.close();
    throw error;
  }
  return {
    counters,
    sendInput: (event) => { if (peer.ws.readyState === WebSocket.OPEN) peer.sendInput(event); },
    close: () => peer.close(),
  };
}
