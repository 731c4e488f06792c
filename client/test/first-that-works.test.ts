import { createScreenSource } from '../capture/create-screen-source';
import { createRectEncoder } from '../encode/create-rect-encoder';
import { firstThatWorks, type Skipped } from '../support/first-that-works';
import { FakeRectEncoder } from './support/fake-rect-encoder';
import { FakeScreenSource } from './support/fake-screen-source';

const fail = (message: string) => async (): Promise<never> => { throw new Error(message); };

describe('firstThatWorks', () => {
  it('returns the first that works, reports each one passed over with its index and error, and tries none after it', async () => {
    const skipped: Skipped[] = [];
    let triedAfter = false;
    const result = await firstThatWorks(
      [fail('native module missing'), fail('no display'), async () => 'third', async () => { triedAfter = true; return 'fourth'; }],
      'nothing works',
      (s) => skipped.push(s),
    );
    expect(result).toBe('third');
    expect(skipped.map((s) => [s.index, (s.error as Error).message])).toEqual([[0, 'native module missing'], [1, 'no display']]);
    expect(triedAfter).toBe(false);
  });

  it('rejects when none works, with the message and every cause in order', async () => {
    const error = await firstThatWorks([fail('a'), fail('b')], 'nothing works').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error).toMatchObject({ message: 'nothing works', errors: [new Error('a'), new Error('b')] });
  });
});

/** What both choosers are, seen from a test that hands them stand-in factories. */
type Chooser = (factories: readonly (() => Promise<unknown>)[], onSkip?: (skipped: Skipped) => void) => Promise<unknown>;

// The two choosers the agent starts with: a native module first, a portable fallback next.
describe.each([
  { chooser: 'createRectEncoder', choose: createRectEncoder as Chooser, fallback: () => new FakeRectEncoder(), message: /no JPEG encoder loads/ },
  { chooser: 'createScreenSource', choose: createScreenSource as Chooser, fallback: () => new FakeScreenSource(10, 10), message: /no screen source works/ },
])('$chooser', ({ choose, fallback, message }) => {
  it('falls back to the next when the native one cannot load, and says which was skipped', async () => {
    const next = fallback();
    const skipped: number[] = [];
    expect(await choose([fail('Cannot find module libnut.node'), async () => next], ({ index }) => skipped.push(index))).toBe(next);
    expect(skipped).toEqual([0]);
  });

  it('rejects saying what is missing, with every cause, when none loads', async () => {
    const none = choose([fail('x'), fail('y')]);
    await expect(none).rejects.toThrow(message);
    await expect(none).rejects.toMatchObject({ errors: [new Error('x'), new Error('y')] });
  });
});
