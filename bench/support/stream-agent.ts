/**
 * Child process of the stream benchmark: a bare client agent. It connects to the relay
 * given as argv[2], registers, accepts the technician, and streams $DISPLAY through the
 * shipped pipeline (nut-js → tile diff → sharp → FrameStreamer), passing acks and
 * refresh requests to the streamer. Talks to the bench over IPC.
 *
 * TODO(client session): the agent's real connection is client/session/client-session.ts
 * (state machine, reconnects, input), written alongside this bench; once it settles, run it
 * here with `createStreamer` building this FrameStreamer, so the bench measures the shipped
 * session too. This file is the minimum to measure the frame path, not a model for it.
 */
import pino from 'pino';
import WebSocket from 'ws';
import { decodeBinary, decodeText, encodeControl, PROTOCOL_VERSION, type ControlMessage } from '../../protocol';
import { createNutJsScreenSource } from '../../client/capture/nut-js-screen-adapter';
import { createSharpEncoder } from '../../client/encode/sharp-encoder-adapter';
import { FrameStreamer, type FrameStreamerStats } from '../../client/stream/frame-streamer';
import type { FrameStreamerOptionsInput } from '../../client/stream/frame-streamer-options';

/** Messages from the agent to the bench. */
export type AgentMessage =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'streaming' }
  | { readonly kind: 'stats'; readonly stats: FrameStreamerStats; readonly cpuMs: number }
  | { readonly kind: 'failed'; readonly message: string };

/** Messages from the bench to the agent. */
export type AgentCommand = { readonly kind: 'stats' } | { readonly kind: 'stop' };

const toBench = (message: AgentMessage): void => { process.send?.(message); };

async function main(): Promise<void> {
  const wsUrl = process.argv[2];
  const options = JSON.parse(process.argv[3] ?? '{}') as FrameStreamerOptionsInput;
  if (!wsUrl) throw new Error('usage: stream-agent.ts <wsUrl> [streamer options JSON]');
  const logger = pino({ level: 'warn' });
  const source = await createNutJsScreenSource();
  const encoder = await createSharpEncoder();
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const sendControl = (m: ControlMessage): void => ws.send(encodeControl(m));
  const streamer = new FrameStreamer({
    source,
    encoder,
    logger,
    // Waiting for the write callback makes a full socket slow the capture down.
    send: (bytes) => new Promise<void>((resolve, reject) => ws.send(bytes, { binary: true }, (e) => (e ? reject(e) : resolve()))),
  }, options);

  const shutdown = async (): Promise<void> => {
    await streamer.stop();
    ws.close();
    process.disconnect?.();
  };

  ws.on('open', () => {
    sendControl({ type: 'hello', version: PROTOCOL_VERSION, role: 'client', app: 'bench-agent' });
    sendControl({ type: 'register', name: 'bench-agent' });
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const decoded = decodeBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoded.ok && decoded.message.kind === 'frame-ack') streamer.onAck(decoded.message.seq);
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) return;
    const m = decoded.message;
    switch (m.type) {
      case 'code': toBench({ kind: 'code', code: m.code }); break;
      case 'consent-request': sendControl({ type: 'consent', granted: true, viewOnly: false }); break;
      case 'paired': streamer.start(); toBench({ kind: 'streaming' }); break;
      case 'refresh': streamer.requestRefresh(); break;
      case 'quality': streamer.setQuality(m.mode === 'auto' ? 'auto' : m.value ?? 70); break;
      case 'error': toBench({ kind: 'failed', message: `${m.code}: ${m.message}` }); break;
      default: break;
    }
  });
  ws.on('error', (e) => toBench({ kind: 'failed', message: e.message }));
  ws.on('close', () => { void streamer.stop(); });
  process.on('message', (command: AgentCommand) => {
    if (command.kind === 'stats') {
      const cpu = process.cpuUsage();
      toBench({ kind: 'stats', stats: streamer.stats, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    if (command.kind === 'stop') void shutdown();
  });
  process.on('disconnect', () => { void shutdown(); });
}

main().catch((error: unknown) => {
  toBench({ kind: 'failed', message: String(error) });
  console.error(error);
  process.exit(1);
});
