/**
 * When each of the glass scene's stamps could first be read off the X server, watched
 * during every lane by a child process (bench/support/screen-stamp-child.ts). It splits a
 * viewer's latency into the scene's own part (its paint → on X, which every viewer pays
 * and which Chromium's pipeline makes 19 or 34 ms from one lane to the next) and the
 * viewer's part (on X → seen on its canvas). In the key scene it notes each flip of the
 * square too, splitting key-to-echo the same way (key → on X, on X → seen).
 */
import { join } from 'node:path';
import { forkTs, type TsChild } from './child';

export interface ScreenStampRead {
  readonly counter: number;
  /** The scene's Date.now() in the stamp. */
  readonly sceneMs: number;
  /** The bench machine's Date.now() when the watch first read this stamp off X. */
  readonly readAtMs: number;
}

/** The key scene's square seen to change colour on X. */
export interface SquareFlipRead {
  readonly lit: boolean;
  /** The bench machine's Date.now() when the watch first read the new colour off X. */
  readonly readAtMs: number;
}

export interface ScreenStampTake {
  readonly reads: ScreenStampRead[];
  readonly flips: SquareFlipRead[];
}

type WatchMessage = { ready: true } | ScreenStampTake;

export interface ScreenStampWatch {
  /** The new stamps and square flips since the last take (and forgets them). */
  take(): Promise<ScreenStampTake>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const TAKE_TIMEOUT_MS = 10_000;

export async function watchScreenStamps(env: NodeJS.ProcessEnv, display: string): Promise<ScreenStampWatch> {
  const child: TsChild<WatchMessage> = forkTs<WatchMessage>(join(__dirname, 'screen-stamp-child.ts'), env, [display]);
  try {
    await child.next((m): m is { ready: true } => 'ready' in m, START_TIMEOUT_MS);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    async take() {
      child.send({ take: true });
      return child.next((m): m is ScreenStampTake => 'reads' in m, TAKE_TIMEOUT_MS);
    },
    stop: () => child.stop(),
  };
}
