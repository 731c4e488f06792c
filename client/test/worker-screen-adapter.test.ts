import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerScreenSource } from '../capture/worker-screen-adapter';

/**
 * A stand-in for the capture worker (the real one needs the build and a display): it
 * answers each grab with the next of `replies`, and ends on 'close', the way capture-worker.ts does.
 */
function fakeWorker(dir: string, replies: string): string {
  const file = join(dir, 'fake-capture-worker.js');
  writeFileSync(file, `
    const { parentPort } = require('node:worker_threads');
    const replies = ${replies};
    let i = 0;
    parentPort.postMessage({ kind: 'ready' });
    parentPort.on('message', (request) => (request === 'close' ? process.exit(0) : parentPort.postMessage(replies[i++])));
  `);
  return file;
}

describe('screen capture in a worker thread', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'capture-worker-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a frame whose sizes do not match its bytes fails that grab, and the next good one still arrives', async () => {
    const source = await createWorkerScreenSource(fakeWorker(dir, `[
      { kind: 'frame', width: 4, height: 2, stride: 16, channelOrder: 'bgra', data: new Uint8Array(20) },
      { kind: 'frame', width: 4, height: 2, stride: 16, channelOrder: 'bgra', data: new Uint8Array(32).fill(7) },
    ]`));
    try {
      await expect(source.grab()).rejects.toThrow('raw frame: 20 bytes is too short for 4x2, stride 16');
      const frame = await source.grab();
      expect(frame).toMatchObject({ width: 4, height: 2, stride: 16, channelOrder: 'bgra' });
      expect(frame.data[31]).toBe(7);
    } finally {
      await source.close?.();
    }
  });

  test('an idle worker thread is ended, and the next grab starts a new one (memory on a still screen)', async () => {
    let ended!: () => void;
    let idleEnded = new Promise<void>((resolve) => { ended = resolve; });
    const file = fakeWorker(dir, `[
      { kind: 'frame', width: 1, height: 1, stride: 4, channelOrder: 'bgra', data: new Uint8Array(4).fill(1) },
      { kind: 'frame', width: 1, height: 1, stride: 4, channelOrder: 'bgra', data: new Uint8Array(4).fill(2) },
    ]`);
    const source = await createWorkerScreenSource(file, { idleEndMs: 20, onIdleEnded: () => ended() });
    try {
      // One thread answers grabs in turn while they keep coming...
      expect((await source.grab()).data[0]).toBe(1);
      expect((await source.grab()).data[0]).toBe(2);
      // ...ends once none came for idleEndMs, and a new thread (its replies from the start) answers the next.
      await idleEnded;
      idleEnded = new Promise<void>((resolve) => { ended = resolve; });
      expect((await source.grab()).data[0]).toBe(1);
      await idleEnded;
    } finally {
      await source.close?.();
    }
    await expect(source.grab()).rejects.toThrow('capture closed');
  });

  test('an error from the worker fails the grab with its message', async () => {
    const source = await createWorkerScreenSource(fakeWorker(dir, `[{ kind: 'error', message: 'XGetImage failed' }]`));
    try {
      await expect(source.grab()).rejects.toThrow('XGetImage failed');
    } finally {
      await source.close?.();
    }
  });
});
