import { SerialInbox } from '../core/session/serial-inbox';

/** A promise the test settles by hand, so "finishes later" needs no timer. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('serial inbox', () => {
  it('runs synchronous work at once, on the same turn, in order', () => {
    const seen: number[] = [];
    const inbox = new SerialInbox((e) => { throw e; });
    inbox.push(() => { seen.push(1); });
    inbox.push(() => { seen.push(2); });
    expect(seen).toEqual([1, 2]); // a session in clear behaves as if handled directly
  });

  it('holds everything back behind unfinished work, and runs it in arrival order afterwards', async () => {
    const seen: string[] = [];
    const inbox = new SerialInbox((e) => { throw e; });
    const opening = deferred();
    const secondOpening = deferred();
    inbox.push(async () => { await opening.promise; seen.push('opened frame 1'); });
    inbox.push(() => { seen.push('waiting-consent'); });
    inbox.push(async () => { await secondOpening.promise; seen.push('opened frame 2'); });
    inbox.push(() => { seen.push('close'); });
    expect(seen).toEqual([]);
    secondOpening.resolve(); // the later work finishing first changes nothing
    await secondOpening.promise;
    expect(seen).toEqual([]);
    const drained = new Promise<void>((resolve) => inbox.push(() => resolve()));
    opening.resolve();
    await drained;
    expect(seen).toEqual(['opened frame 1', 'waiting-consent', 'opened frame 2', 'close']);
  });

  it('reports work that throws or rejects, and carries on with the next', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const inbox = new SerialInbox((e) => errors.push(e));
    const failing = deferred();
    inbox.push(() => { throw new Error('sync bug'); });
    inbox.push(() => failing.promise);
    const drained = new Promise<void>((resolve) => inbox.push(() => { seen.push('after'); resolve(); }));
    failing.reject(new Error('async bug'));
    await drained;
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync bug', 'async bug']);
    expect(seen).toEqual(['after']);
  });
});
