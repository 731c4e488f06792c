/**
 * Settles with the result of one X request, or rejects after `ms` saying what timed out:
 * a hung or overloaded X server must not hang the agent's capture. `work` issues the request
 * with `done` as its callback (the `x11` package's style); a reply after the timeout is
 * dropped, and a request that throws as it is issued rejects.
 */
export function xReplyWithin<T>(what: string, ms: number, work: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`X11 ${what}: no answer in ${ms} ms`));
    }, ms);
    const done = (err: Error | null, value?: T): void => {
      if (settled) return; // a late reply after the timeout: nobody waits for it
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    };
    try {
      work(done);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
