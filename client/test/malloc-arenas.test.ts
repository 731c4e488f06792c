import { capMallocArenas } from '../support/malloc-arenas-adapter';

describe('capping glibc malloc arenas', () => {
  test('is not tried off Linux, and says why', async () => {
    await expect(capMallocArenas('win32')).resolves.toEqual({ capped: false, why: 'not Linux' });
    await expect(capMallocArenas('darwin')).resolves.toEqual({ capped: false, why: 'not Linux' });
  });
});
