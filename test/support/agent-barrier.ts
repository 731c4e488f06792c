import { once } from 'node:events';
import { FrameFlag, type FrameHeader } from '../../protocol';
import { within } from './relay-harness';
import type { WsTestPeer } from './ws-peer';

/** Headers of every frame `tech` has received so far, read or not. */
export function framesOf(tech: WsTestPeer): FrameHeader[] {
  return tech.received.flatMap((m) => (m.kind === 'binary' && m.message.kind === 'frame' ? [m.message.header] : []));
}

/**
 * Resolves once `condition` holds, re-checking it as each message reaches `tech` (read or
 * not: it looks at `tech.received` and consumes nothing); fails after `timeoutMs`. A sealed
 * message counts once it is opened and recorded.
 */
export async function untilReceived(tech: WsTestPeer, condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Checked and re-armed in one turn of the event loop, so no message slips between.
  while (!condition()) await within(once(tech.events, 'recorded'), Math.max(1, deadline - Date.now()), what);
}

/**
 * Resolves once the agent has handled every message this technician sent before the call,
 * so a test can look for the effects of input (or their absence) without sleeping.
 *
 * It asks for a refresh: the relay forwards it to the agent behind anything else it
 * forwarded from this technician (control messages are never reordered), and the agent
 * handles its messages in order, so the full frame that answers the refresh was grabbed
 * after the agent had handled all the earlier ones. Input the agent accepted is then
 * queued for the mouse and keyboard; the agent's `injector.idle()` waits for it.
 *
 * Meant for a still screen (the session's first frame may still be on its way): a full
 * frame newer than every frame seen before the refresh is taken as its answer.
 * Reads `tech.received` without consuming it, so `tech.next()` still sees every message.
 */
export async function untilAgentHasRead(tech: WsTestPeer, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await untilReceived(tech, () => framesOf(tech).length > 0, 'the session\'s first frame', timeoutMs);
  const newest = Math.max(...framesOf(tech).map((h) => h.seq));
  tech.sendJson({ type: 'refresh', reason: 'requested' });
  await untilReceived(tech, () => framesOf(tech).some((h) => h.seq > newest && (h.flags & FrameFlag.FULL) !== 0),
    'the full frame that answers the refresh', Math.max(1, deadline - Date.now()));
}
