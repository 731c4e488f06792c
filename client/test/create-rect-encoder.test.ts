import { createRectEncoder } from '../encode/create-rect-encoder';
import { FakeRectEncoder } from './support/fake-rect-encoder';

describe('createRectEncoder', () => {
  it('falls back when the native encoder cannot load', async () => {
    const fallback = new FakeRectEncoder();
    const skipped: number[] = [];
    const encoder = await createRectEncoder(
      [async () => { throw new Error('sharp: prebuilt binary missing'); }, async () => fallback],
      ({ index }) => skipped.push(index),
    );
    expect(encoder).toBe(fallback);
    expect(skipped).toEqual([0]);
  });

  it('rejects when no encoder loads', async () => {
    await expect(createRectEncoder([async () => { throw new Error('x'); }])).rejects.toThrow(/no JPEG encoder/);
  });
});
