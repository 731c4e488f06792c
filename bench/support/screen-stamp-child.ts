/**
 * The glass benchmark's screen watch, in its own process (so that its reads cost neither the
 * relay in the bench's process nor any viewer an event-loop turn): on every DAMAGE batch
 * that touches the meter's area it reads that area off X and notes, for each stamp not seen
 * before, when it could first be read there, and each change of the key scene's square. Argument: the X display. IPC: `{ take: true }`
 * answers `{ reads }` (and forgets them); `{ ready: true }` is sent once it watches.
 */
import { createX11DamageSource } from '../../client/capture/x11-damage-adapter';
import { readMeterAreaOnDamage, readStamp, squareLit } from './glass-stamp-reader';
import type { ScreenStampRead, SquareFlipRead } from './screen-stamps';

/** Reads kept between two takes (a 10 s lane at 60/s holds 600). */
const MAX_READS = 100_000;

async function main(): Promise<void> {
  const damage = await createX11DamageSource(process.argv[2]!);
  const reads: ScreenStampRead[] = [];
  const flips: SquareFlipRead[] = [];
  let last: number | undefined;
  let lit: boolean | undefined;
  readMeterAreaOnDamage(damage, (rgba, readAtMs) => {
    const litNow = squareLit(rgba);
    if (lit !== undefined && litNow !== lit && flips.length < MAX_READS) flips.push({ lit: litNow, readAtMs });
    lit = litNow;
    const stamp = readStamp(rgba, readAtMs);
    if (stamp === undefined || stamp.counter === last) return;
    last = stamp.counter;
    if (reads.length < MAX_READS) reads.push({ counter: stamp.counter, sceneMs: stamp.sceneMs, readAtMs });
  }, (error) => {
    process.stderr.write(`screen watch: ${String(error)}\n`);
    process.exit(1);
  });
  process.on('message', (m: { take?: boolean }) => {
    if (m.take) process.send?.({ reads: reads.splice(0), flips: flips.splice(0) });
  });
  process.on('disconnect', () => void damage.close().then(() => process.exit(0)));
  process.send?.({ ready: true });
}

void main().catch((error: unknown) => {
  process.stderr.write(`screen watch: ${String(error)}\n`);
  process.exit(1);
});
