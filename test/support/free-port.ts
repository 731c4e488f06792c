import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now, for a program that takes its port on the command
 * line (redis-server, haproxy, x0vncserver): bound, then let go, so the caller binds it at
 * once (another process could take it in between, rarely).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
