/** Why a candidate was passed over, for the caller to log. */
export interface Skipped {
  readonly index: number;
  readonly error: unknown;
}

/**
 * Tries factories in order and returns the first result. Native modules (nut-js, sharp)
 * can be missing for a platform, which is expected, not fatal: each failure goes to
 * `onSkip`, and only when none works does it reject, with an AggregateError holding
 * every cause under `message`.
 */
export async function firstThatWorks<T>(
  factories: readonly (() => Promise<T>)[],
  message: string,
  onSkip?: (skipped: Skipped) => void,
): Promise<T> {
  const errors: unknown[] = [];
  for (const [index, factory] of factories.entries()) {
    try {
      return await factory();
    } catch (error) {
      errors.push(error);
      onSkip?.({ index, error });
    }
  }
  throw new AggregateError(errors, message);
}
