/** glibc's mallopt parameter M_ARENA_MAX (malloc.h). */
const M_ARENA_MAX = -8;
/** Arenas the agent's threads share: the main thread's and one more. */
const ARENAS = 2;

/**
 * Caps how many malloc arenas glibc gives the agent's threads, as MALLOC_ARENA_MAX=2 would
 * from the environment (which a program cannot set for itself once started).
 *
 * Why: glibc gives each thread that allocates under contention an arena of its own, and
 * memory freed in one is not returned while any of it is in use. The agent's encoders
 * (libvips in libuv's threads), its capture worker and V8's threads each hold one, and
 * the agent's RSS kept 10–15 MiB more after streaming than with two arenas
 * (BENCHMARKS.md, agent memory). Called before any of those threads allocates.
 *
 * Linux with glibc only (libc.so.6), through koffi (prebuilt; the Windows typer uses it
 * too); elsewhere (musl has no libc.so.6), or if it fails, nothing changes and the reason
 * is returned.
 */
export async function capMallocArenas(platform: NodeJS.Platform): Promise<{ capped: boolean; why?: string }> {
  if (platform !== 'linux') return { capped: false, why: 'not Linux' };
  try {
    const { default: koffi } = await import('koffi');
    const mallopt = koffi.load('libc.so.6').func('int mallopt(int param, int value)') as (param: number, value: number) => number;
    return mallopt(M_ARENA_MAX, ARENAS) === 1 ? { capped: true } : { capped: false, why: 'mallopt refused M_ARENA_MAX' };
  } catch (error) {
    return { capped: false, why: error instanceof Error ? error.message : String(error) };
  }
}

