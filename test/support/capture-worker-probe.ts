/**
 * Child process for test/desktop/capture-worker.test.ts: libnut reads DISPLAY from the
 * real process environment (getenv), which a jest test cannot set for its own process,
 * so the worker is exercised from a process started with DISPLAY set.
 * Prints one JSON line: the frames' sizes, or the error.
 */
import { createWorkerScreenSource } from '../../client/capture/worker-screen-adapter';

async function main(): Promise<void> {
  const source = await createWorkerScreenSource(process.argv[2]);
  const frames = await Promise.all([source.grab(), source.grab(), source.grab()]);
  await source.close?.();
  process.stdout.write(`${JSON.stringify({ name: source.name, frames: frames.map((f) => ({ width: f.width, height: f.height, stride: f.stride, bytes: f.data.byteLength })) })}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
  process.exitCode = 1;
});
