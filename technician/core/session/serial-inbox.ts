/** One piece of work: synchronous, or a promise that holds back everything after it. */
export type InboxTask = () => void | Promise<void>;

/**
 * Runs what the relay sends one message at a time, in arrival order. Opening a sealed
 * message and each step of the key agreement are asynchronous (WebCrypto), but what the
 * relay sends next must not overtake them: `waiting-consent` must be seen after the
 * agreement verified, the customer's sealed introduction before `paired`, and a close
 * after the `error` that explains it.
 *
 * A task that finishes synchronously lets the next one run on the same event turn, so a
 * session in clear (nothing asynchronous) behaves exactly as if its messages were handled
 * directly; only a pending promise makes later messages wait in the queue.
 */
export class SerialInbox {
  private readonly waiting: InboxTask[] = [];
  private busy = false;

  /** `onError` hears of a task that threw or rejected: a bug, never something a peer can cause. */
  constructor(private readonly onError: (error: unknown) => void) {}

  push(task: InboxTask): void {
    this.waiting.push(task);
    this.drain();
  }

  private drain(): void {
    while (!this.busy && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      let result: void | Promise<void>;
      try {
        result = task();
      } catch (error) {
        this.onError(error);
        continue;
      }
      if (result instanceof Promise) {
        this.busy = true;
        result.catch(this.onError).finally(() => {
          this.busy = false;
          this.drain();
        });
      }
    }
  }
}
