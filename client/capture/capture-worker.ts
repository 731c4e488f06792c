/**
 * Worker-thread entry (bundled to dist/client/capture-worker.js): grabs the screen with
 * nut-js off the agent's main thread. libnut's grab is a synchronous native call of
 * 6–20 ms at 1080p; on the main thread it made the technician's input wait (input p50
 * ≈ 10 ms while streaming). Here it blocks only this thread.
 *
 * Protocol with the main thread: it posts `'grab'`; the worker answers one
 * {@link WorkerGrabReply} per request, in order. `'close'` ends the thread once no grab is
 * running: terminating it in the middle of libnut's native grab aborted the whole process
 * (134, `terminate called after throwing an instance of 'Napi::Error'`; exit 9 under Wine).
 */
import { parentPort } from 'node:worker_threads';
import { createNutJsScreenSource } from './nut-js-screen-adapter';
import type { WorkerGrabReply, WorkerRequest } from './worker-screen-adapter';

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
  let running = 0;
  let closing = false;
  const exitIfDone = (): void => {
    // Between grabs nothing native is running: the thread can end without tearing one down.
    if (closing && running === 0) process.exit(0);
  };
  port.on('message', (request: WorkerRequest) => {
    if (request === 'close') {
      closing = true;
      exitIfDone();
      return;
    }
    if (closing) {
      port.postMessage({ kind: 'error', message: 'capture worker closing' } satisfies WorkerGrabReply);
      return;
    }
    running++;
    source.grab().finally(() => {
      running--;
      // After this grab's reply is posted (the microtask below runs first).
      setImmediate(exitIfDone);
    }).then((frame) => {
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
