import { fork, type ChildProcess } from 'node:child_process';
import { stopChild } from '../../test/support/xvfb';

/**
 * A TypeScript child process (run through tsx) talking to the bench over Node's IPC
 * channel. X-bound work runs in children because libnut keeps its first X connection for
 * the life of the process: one process cannot grab from two displays in turn, and dies
 * with its display.
 */
export interface TsChild<Out> {
  readonly process: ChildProcess;
  /** Sends one message to the child. */
  send(message: unknown): void;
  /** Resolves with the next message for which `accept` is true. */
  next<T extends Out>(accept: (message: Out) => message is T, timeoutMs: number): Promise<T>;
  stop(): Promise<void>;
}

export function forkTs<Out>(script: string, env: NodeJS.ProcessEnv, args: readonly string[] = []): TsChild<Out> {
  const child = fork(script, [...args], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: Out[] = [];
  const waiters = new Set<(m: Out) => boolean>();
  child.on('message', (message) => {
    const m = message as Out;
    for (const waiter of waiters) if (waiter(m)) return;
    queue.push(m);
  });
  return {
    process: child,
    send: (message) => { child.send(message as never); },
    next<T extends Out>(accept: (message: Out) => message is T, timeoutMs: number): Promise<T> {
      const queued = queue.findIndex(accept);
      if (queued >= 0) return Promise.resolve(queue.splice(queued, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null): void => { finish(); reject(new Error(`${script} exited (${code}) before answering`)); };
        const timer = setTimeout(() => { finish(); reject(new Error(`${script}: no answer after ${timeoutMs} ms`)); }, timeoutMs);
        const waiter = (m: Out): boolean => {
          if (!accept(m)) return false;
          finish();
          resolve(m);
          return true;
        };
        function finish(): void {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off('exit', onExit);
        }
        waiters.add(waiter);
        child.once('exit', onExit);
      });
    },
    stop: () => stopChild(child),
  };
}
