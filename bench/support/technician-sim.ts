import WebSocket from 'ws';
import { decodeBinary, decodeText, encodeControl, encodeFrameAck, FrameFlag, PROTOCOL_VERSION, type InputEvent } from '../../protocol';

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
  /** Resolves once the session is paired. */
  readonly paired: Promise<void>;
  /** Sends one input event (an `input` message with the next `seq`), as the viewer does. */
  sendInput(event: InputEvent): void;
  close(): void;
}

/**
 * A technician that joins with the client's code and acknowledges every update as soon
 * as its LAST rectangle arrives. It does not decode the JPEGs: a real viewer does that on
 * another machine, and decoding here would take CPU from the agent on this 2-core box.
 */
export function joinAsTechnician(wsUrl: string, code: string): TechnicianSim {
  const counters: TechnicianCounters = { updates: 0, fullUpdates: 0, rects: 0, bytes: 0, latenciesMs: [] };
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const paired = new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send(encodeControl({ type: 'hello', version: PROTOCOL_VERSION, role: 'technician', app: 'bench-technician' }));
      ws.send(encodeControl({ type: 'join', code, name: 'bench-technician' }));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        counters.bytes += data.byteLength;
        const decoded = decodeBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (!decoded.ok || decoded.message.kind !== 'frame') return;
        const { header } = decoded.message;
        counters.rects++;
        if (header.flags & FrameFlag.LAST) {
          counters.updates++;
          if (header.flags & FrameFlag.FULL) counters.fullUpdates++;
          counters.latenciesMs.push(Date.now() - header.captureTimeMs);
          ws.send(encodeFrameAck(header.seq, header.captureTimeMs));
        }
        return;
      }
      const decoded = decodeText(data.toString('utf8'));
      if (!decoded.ok) return;
      if (decoded.message.type === 'paired') resolve();
      if (decoded.message.type === 'error') reject(new Error(`${decoded.message.code}: ${decoded.message.message}`));
    });
    ws.on('error', reject);
  });
  paired.catch(() => undefined);
  let inputSeq = 0;
  const sendInput = (event: InputEvent): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeControl({ type: 'input', seq: inputSeq++, event }));
  };
  return { counters, paired, sendInput, close: () => ws.close() };
}
