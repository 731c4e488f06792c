import { createNutJsScreenSource } from './nut-js-screen-adapter';
import type { ScreenSource } from './screen-source';
import { firstThatWorks, type Skipped } from '../support/first-that-works';
import { createScreenshotDesktopSource } from './screenshot-desktop-adapter';
import { createWorkerScreenSource } from './worker-screen-adapter';

/** One way to build a screen source; rejects when it cannot work on this machine. */
export type ScreenSourceFactory = () => Promise<ScreenSource>;

/** nut-js: in a worker thread (input never waits for a grab), else on the main thread. */
export const NUT_JS_SOURCES: readonly ScreenSourceFactory[] = Object.freeze([
  () => createWorkerScreenSource(),
  createNutJsScreenSource,
]);

/** nut-js first, then the slow but portable fallback. */
export const DEFAULT_SCREEN_SOURCES: readonly ScreenSourceFactory[] = Object.freeze([
  ...NUT_JS_SOURCES,
  createScreenshotDesktopSource,
]);

/** Why a candidate was skipped, for the caller to log. */
export type SkippedSource = Skipped;

/**
 * Returns the first source that loads and grabs once. Each failure is reported through
 * `onSkip` (a missing native binding is expected on some machines, not fatal); if none
 * works, rejects with an AggregateError holding every cause.
 */
export function createScreenSource(
  factories: readonly ScreenSourceFactory[] = DEFAULT_SCREEN_SOURCES,
  onSkip?: (skipped: SkippedSource) => void,
): Promise<ScreenSource> {
  return firstThatWorks(factories, 'no screen source works on this machine', onSkip);
}
