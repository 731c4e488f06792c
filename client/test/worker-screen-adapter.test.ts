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

  test('an error from the worker fails the grab with its message', async () => {
    const source = await createWorkerScreenSource(fakeWorker(dir, `[{ kind: 'error', message: 'XGetImage failed' }]`));
    try {
      await expect(source.grab()).rejects.toThrow('XGetImage failed');
    } finally {
      await source.close?.();
    }
  });
});
