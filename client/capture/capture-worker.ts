/**
 * Worker-thread entry (bundled to dist/client/capture-worker.js): grabs the screen with
 * nut-js off the agent's main thread. libnut's grab is a synchronous native call of
 * 6–20 ms at 1080p; on the main thread it made the technician's input wait (input p50
 * ≈ 10 ms while streaming). Here it blocks only this thread.
 *
 * Protocol with the main thread: it posts `'grab'`; the worker answers one
 * {@link WorkerGrabReply} per request, in order.
 */
import { parentPort } from 'node:worker_threads';
import { createNutJsScreenSource } from './nut-js-screen-adapter';
import type { WorkerGrabReply } from './worker-screen-adapter';

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('capture-worker must run as a worker thread');
  let source: Awaited<ReturnType<typeof createNutJsScreenSource>>;
  try {
    source = await createNutJsScreenSource();
    port.postMessage({ kind: 'ready' } satisfies WorkerGrabReply);
  } catch (err) {
    port.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerGrabReply);
    return;
  }
  port.on('message', () => {
    source.grab().then((frame) => {
      // libnut's buffer cannot be handed over as is; one copy here is cheap (≈2 ms for
      // 1080p) and the copy's memory moves to the main thread without another.
      const data = new Uint8Array(frame.data.byteLength);
      data.set(frame.data);
      const reply: WorkerGrabReply = {
        kind: 'frame', width: frame.width, height: frame.height, stride: frame.stride, channelOrder: frame.channelOrder, data,
      };
      port.postMessage(reply, [data.buffer]);
    }, (err: unknown) => {
      port.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies WorkerGrabReply);
    });
  });
}

void serve();
