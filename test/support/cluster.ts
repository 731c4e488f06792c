import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { eventually } from './relay-harness';
import { requireTool } from './require-tool';
import { stopChild } from './xvfb';

/**
 * A cluster of real relay processes for a test file (issue 14): Debian's redis-server and
 * haproxy on free loopback ports, with their config in a fresh temporary directory, and
 * relay nodes as child processes of `dist/relay/main.js` (`npm run build`). Everything
 * listens on 127.0.0.1 only and is stopped by `stop()`.
 */

/** Whether redis-server and haproxy are installed (loud skip outside CI, failure with CI=true). */
export function hasClusterTools(): boolean {
  // Both are asked, so a missing pair is named in full.
  const redis = requireTool('redis-server', 'redis-server');
  const haproxy = requireTool('haproxy', 'haproxy');
  return redis && haproxy;
}

/** Waits until `child` printed `marker` (stdout or stderr), failing with what it printed if it exits or takes too long. */
function waitForOutput(child: ChildProcess, marker: string | RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${what} did not start in ${timeoutMs} ms:\n${seen.slice(-4000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (typeof marker === 'string' ? seen.includes(marker) : marker.test(seen)) done();
    };
    const onExit = (code: number | null): void => done(new Error(`${what} exited (${code}) before it was ready:\n${seen.slice(-4000)}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolveOutput(seen);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** How long a test's server has to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 3000;

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** redis-server on 127.0.0.1, a free port, nothing saved to disk. */
export async function startRedis(dir: string): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForOutput(child, 'Ready to accept connections', 'redis-server');
  return { port, url: `redis://127.0.0.1:${port}`, process: child, stop: () => stopChild(child, STOP_GRACE_MS) };
}

export interface TestHaproxy {
  readonly port: number;
  /** http://127.0.0.1:port, the load balancer's front. */
  readonly url: string;
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/**
 * haproxy in front of the nodes: WebSocket and HTTP on one port, round robin, health checks
 * on /healthz every 200 ms, and a connection refused by a dead node tried on another one.
 */
export async function startHaproxy(dir: string, nodePorts: readonly number[]): Promise<TestHaproxy> {
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(port, nodePorts));
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.once('exit', () => { exited = true; });
  // Ready once a health check went through it (at least one node is up).
  try {
    await eventually(async () => {
      if (exited) throw new Error('haproxy exited at start (see its config in the test directory)');
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false; // not listening yet
      }
    }, 20_000, 'haproxy to answer /healthz');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, stop: () => stopChild(child, STOP_GRACE_MS) };
}

/** The example of README "Several relay nodes", with the test's ports and quick checks. */
export function haproxyConfig(port: number, nodePorts: readonly number[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // A WebSocket, once upgraded, is a tunnel: it lives as long as the session.
    '  timeout tunnel 1h',
    '  option forwardfor',
    '  option redispatch',
    '  retries 3',
    'frontend relay',
    `  bind 127.0.0.1:${port}`,
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk GET /healthz',
    '  http-check expect status 200',
    '  default-server inter 200ms fall 2 rise 1',
    ...nodePorts.map((p, i) => `  server node${i + 1} 127.0.0.1:${p} check`),
    '',
  ].join('\n');
}

export interface TestNode {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly process: ChildProcess;
  /** Everything the node logged (JSON lines). */
  log(): string;
  stop(): Promise<void>;
  /** kill -9: no goodbye to anyone. */
  kill(): Promise<void>;
}

/** The cluster secret of the tests' nodes. */
export const TEST_CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdef';

/** A relay node: `node dist/relay/main.js` on 127.0.0.1, in the cluster of `redisUrl`. */
export async function startNode(id: string, redisUrl: string, env: Record<string, string> = {}, port?: number): Promise<TestNode> {
  const main = resolve(__dirname, '../../dist/relay/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const nodePort = port ?? await freePort();
  const child = spawn(process.execPath, [main], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', PORT: String(nodePort), HOST: '127.0.0.1',
      REDIS_URL: redisUrl, NODE_ID: id, NODE_INTERNAL_URL: `http://127.0.0.1:${nodePort}`, CLUSTER_SECRET: TEST_CLUSTER_SECRET,
      NODE_HEARTBEAT_MS: '300', RELAY_NO_DATABASE: 'true', TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  await waitForOutput(child, 'CompuEasys relay ready', `relay node ${id}`);
  return {
    id, port: nodePort, url: `http://127.0.0.1:${nodePort}`, wsUrl: `ws://127.0.0.1:${nodePort}/ws`, process: child,
    log: () => output,
    stop: () => stopChild(child, STOP_GRACE_MS),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface TestCluster {
  readonly dir: string;
  readonly redis: TestRedis;
  readonly nodes: TestNode[];
  readonly haproxy: TestHaproxy;
  stop(): Promise<void>;
}

/** Redis, `count` nodes and haproxy in front of them; `env` goes to every node. */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-cluster-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const redis = await startRedis(dir);
    started.push(redis);
    const nodes: TestNode[] = [];
    for (let i = 1; i <= count; i++) {
      const node = await startNode(`node${i}`, redis.url, env);
      nodes.push(node);
      started.push(node);
    }
    const haproxy = await startHaproxy(dir, nodes.map((n) => n.port));
    started.push(haproxy);
    return {
      dir, redis, nodes, haproxy,
      stop: async () => {
        await haproxy.stop();
        await Promise.all(nodes.map((n) => n.stop()));
        await redis.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
