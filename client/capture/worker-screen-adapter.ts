import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { assertRawFrame, type ChannelOrder, type RawFrame } from './raw-frame';
import type { ScreenSource } from './screen-source';

/** What the main thread asks the capture worker: a grab, or to end once no grab is running. */
export type WorkerRequest = 'grab' | 'close';

/** How long close() lets a grab finish before it terminates the worker anyway (a hung X server). */
const CLOSE_GRACE_MS = 5000;

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
 * How long the capture worker may sit without a grab before its thread is ended; the next
 * grab starts a new one (≈ 0.1–0.3 s: it loads nut-js again). A polling agent grabs at
 * least every 100 ms and keeps it; a damage-driven one reads the whole screen only for the
 * first frame, a refresh or a large change, and an idle worker held about 60 MiB of the
 * agent's RSS on a still 1080p screen (its heap, and frames it never collects while idle;
 * BENCHMARKS.md, glass "agent memory").
 */
export const WORKER_IDLE_END_MS = 10_000;

export interface WorkerScreenSourceOptions {
  /** See {@link WORKER_IDLE_END_MS}. */
  readonly idleEndMs?: number;
  /** Told each time an idle worker thread has ended; for tests. */
  readonly onIdleEnded?: () => void;
}

/**
 * nut-js capture in a worker thread, so the grab never blocks the thread that handles
 * the technician's input. Needs the built worker script (`npm run build`); from the
 * source tree it rejects and the chooser falls back to capture on the main thread.
 *
 * The thread is ended after `idleEndMs` without a grab and started again by the next one.
 * A worker that failed on its own (an error, an exit) is not replaced: grabs then reject, as
 * they always did, and the streamer's retries and fallbacks take over.
 */
export async function createWorkerScreenSource(workerFile: string = CAPTURE_WORKER_FILE, options: WorkerScreenSourceOptions = {}): Promise<ScreenSource> {
  const idleEndMs = options.idleEndMs ?? WORKER_IDLE_END_MS;
  let worker: Promise<ScreenSource> | undefined = Promise.resolve(await startCaptureWorker(workerFile));
  /** The end of an idle worker under way: a grab waits for it before starting the next. */
  let ending: Promise<void> = Promise.resolve();
  let grabbing = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const endIdle = (): void => {
    idleTimer = undefined;
    const idle = worker;
    if (grabbing > 0 || idle === undefined || closed) return;
    worker = undefined;
    ending = idle.then((w) => w.close?.()).then(() => options.onIdleEnded?.(), () => undefined);
  };
  return {
    name: 'nut-js (worker thread)',
    async grab(): Promise<RawFrame> {
      if (closed) throw new Error('capture closed');
      clearTimeout(idleTimer);
      idleTimer = undefined;
      grabbing++;
      try {
        await ending;
        if (worker === undefined) {
          const starting = startCaptureWorker(workerFile);
          worker = starting;
          // A failed start is tried again by the next grab.
          starting.catch(() => { if (worker === starting) worker = undefined; });
        }
        return await (await worker).grab();
      } finally {
        grabbing--;
        if (grabbing === 0 && !closed && worker !== undefined) {
          idleTimer = setTimeout(endIdle, idleEndMs);
          idleTimer.unref();
        }
      }
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(idleTimer);
      await ending;
      const last = worker;
      worker = undefined;
      await (await last?.catch(() => undefined))?.close?.();
    },
  };
}

/** One capture worker thread, started and answering grabs in order, until closed or failed. */
async function startCaptureWorker(workerFile: string): Promise<ScreenSource> {
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
  const onExit = (code: number): void => failAll(new Error(`capture worker exited (${code})`));
  worker.on('exit', onExit);

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
        worker.postMessage('grab' satisfies WorkerRequest);
      });
    },
    /**
     * Ends the worker between grabs: the grabs already asked for are answered first, then
     * the thread exits by itself. Terminating it mid-grab aborted the process (native code
     * interrupted); only a grab stuck past CLOSE_GRACE_MS is cut off that way.
     */
    async close(): Promise<void> {
      failure ??= new Error('capture closed');
      worker.removeListener('exit', onExit);
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close' satisfies WorkerRequest);
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<'stuck'>((resolve) => { timer = setTimeout(() => resolve('stuck'), CLOSE_GRACE_MS); });
      const outcome = await Promise.race([exited, stuck]);
      clearTimeout(timer);
      if (outcome === 'stuck') await worker.terminate();
      for (const w of waiting.splice(0)) w.reject(failure);
    },
  };
}
