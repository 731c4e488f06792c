/**
 * The bare `ws` pipe (bench/support/bare-pipe.ts) as a process of its own, so the load
 * benchmarks read its CPU and memory from outside exactly as they read the relay's. The
 * bench bundles it with esbuild and runs it with plain node, as the relay runs. Prints one
 * JSON line with its port on stdout; exits on SIGTERM.
 */
import { startBarePipe } from '../support/bare-pipe';

async function main(): Promise<void> {
  const pipe = await startBarePipe();
  process.stdout.write(`${JSON.stringify({ msg: 'bare pipe listening', port: Number(new URL(pipe.wsUrl).port) })}\n`);
  process.once('SIGTERM', () => { void pipe.close().finally(() => process.exit(0)); });
}

void main();
