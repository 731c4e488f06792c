import { createScreenSource } from '../capture/create-screen-source';
import { FakeScreenSource } from './support/fake-screen-source';

describe('createScreenSource', () => {
  it('falls back to the next source when the native one cannot load', async () => {
    const skipped: number[] = [];
    const fallback = new FakeScreenSource(10, 10);
    const source = await createScreenSource(
      [async () => { throw new Error('Cannot find module libnut.node'); }, async () => fallback],
      ({ index }) => skipped.push(index),
    );
    expect(source).toBe(fallback);
    expect(skipped).toEqual([0]);
  });

  it('rejects with every cause when no source works', async () => {
    const fail = async (): Promise<never> => { throw new Error('no display'); };
    await expect(createScreenSource([fail, fail])).rejects.toMatchObject({ errors: [expect.any(Error), expect.any(Error)] });
  });
});
