import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { assertRawFrame, type ChannelOrder, type RawFrame } from './raw-frame';
import type { ScreenSource } from './screen-source';

/** What the capture worker posts back. */
export type WorkerGrabReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly message: string }
  | {
    readonly kind: 'frame'; readonly width: number; readonly height: number; readonly stride: number;
    readonly channelOrder: ChannelOrder; readonly data: Uint8Array;
  };

/** The worker script as the build lays it out, next to the bundled entry points. */
const CAPTURE_WORKER_FILE = join(__dirname, 'capture-worker.js');

/**
 * nut-js capture in a worker thread, so the grab never blocks the thread that handles
 * the technician's input. Needs the built worker script (`npm run build`); from the
 * source tree it rejects and the chooser falls back to capture on the main thread.
 */
export async function createWorkerScreenSource(workerFile: string = CAPTURE_WORKER_FILE): Promise<ScreenSource> {
  if (!existsSync(workerFile)) throw new Error(`capture worker not built (${workerFile})`);
  // libnut reads DISPLAY with getenv(): the process's real environment, shared by all threads.
  const worker = new Worker(workerFile);
  const waiting: { resolve: (f: RawFrame) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure = error;
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`capture worker exited (${code})`)));

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (reply: WorkerGrabReply) => {
      if (reply.kind === 'ready') resolve();
      else reject(new Error(reply.kind === 'error' ? reply.message : 'capture worker did not start'));
    });
    worker.once('error', reject);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  worker.on('message', (reply: WorkerGrabReply) => {
    const next = waiting.shift();
    if (!next) return;
    if (reply.kind === 'frame') {
      const frame: RawFrame = { width: reply.width, height: reply.height, stride: reply.stride, channelOrder: reply.channelOrder, data: reply.data };
      // The frame crossed a thread: its sizes are a claim until checked (a few comparisons,
      // not a pass over the pixels). A bad one fails this grab with a message saying why,
      // which the streamer logs and retries, instead of being diffed and encoded as garbage.
      try {
        assertRawFrame(frame);
      } catch (error) {
        next.reject(error as Error);
        return;
      }
      next.resolve(frame);
    } else {
      next.reject(new Error(reply.kind === 'error' ? reply.message : 'unexpected reply from the capture worker'));
    }
  });

  return {
    name: 'nut-js (worker thread)',
    grab(): Promise<RawFrame> {
      if (failure) return Promise.reject(failure);
      return new Promise<RawFrame>((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage('grab');
      });
    },
    async close(): Promise<void> {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
