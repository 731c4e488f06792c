import Redis from 'ioredis';
import { hasClusterTools, startCluster, type TestCluster, type TestNode } from '../test/support/cluster';
import { codeOf, connected, startCustomer, startTechnician, type Customer, type Technician } from '../test/cluster/support';
import { benchArg, median, percentile, type Benchmark, type BenchRow } from './support/benchmark';
import { IDLE_SESSION, type SessionProfile } from './load/generator-protocol';
import {
  ensureServersBuilt, machineNote, merge, MiB, openSpread, resetAll, sleep, startGenerators, startServer, statsOf, stopAll, type Generator,
} from './load/processes';

/**
 * Several relay nodes (issue 14), on this machine, in one run:
 *
 * - aggregate forwarding throughput: three nodes behind HAProxy vs one relay as `npm start`
 *   runs it (no Redis), the same sessions streaming as fast as acknowledgements allow;
 * - input latency technician → client for a pair whose sides are on two nodes (the node
 *   link) vs a pair on one node, beside streaming sessions, alternating;
 * - Redis commands per idle paired session per minute (INFO commandstats), beside the
 *   nodes' own heartbeats;
 * - time from `kill -9` of a node to its sessions resumed on the others (real agent and
 *   page session, through HAProxy), p50/p95 over every session of several kills.
 */
const THROUGHPUT: SessionProfile = { frameBytes: 50_000, frameIntervalMs: 0, frameWindow: 2, inputIntervalMs: 0 };
const BACKGROUND: SessionProfile = { frameBytes: 20_000, frameIntervalMs: 100, frameWindow: 2, inputIntervalMs: 50 };
const PROBE: SessionProfile = { frameBytes: 0, frameIntervalMs: 0, frameWindow: 0, inputIntervalMs: 10 };
/** Per-address limits wide enough for every generated peer to come from 127.0.0.1 (as the other load benches). */
const MANY_PEERS = { MAX_SESSIONS_PER_IP: '100000', REGISTRATIONS_PER_IP_PER_MINUTE: '1000000', MAX_CONNECTIONS_PER_IP: '100000', CODE_ATTEMPTS_PER_IP: '100000' };
const TARGET_ADDED_P99_MS = 5;
const GRACE_MS = 30_000;

async function throughputOf(wsUrl: string, generators: Generator[], sessions: number, windowMs: number): Promise<{ mibps: number; closed: number }> {
  const opened = await openSpread(generators, 'stream', wsUrl, sessions, THROUGHPUT, 10);
  if (opened.opened !== sessions) throw new Error(`${sessions - opened.opened} sessions did not pair: ${opened.firstError}`);
  await sleep(2000);
  await resetAll(generators);
  await sleep(windowMs);
  const m = merge(await statsOf(generators), 'stream');
  return { mibps: m.frameBytesReceived / MiB / (m.elapsedMs / 1000), closed: m.closedSessions };
}

async function measureThroughput(log: (m: string) => void, sessions: number, windowMs: number): Promise<BenchRow> {
  let single: number;
  {
    const relay = await startServer('relay');
    const generators = await startGenerators(2);
    try {
      single = (await throughputOf(relay.wsUrl, generators, sessions, windowMs)).mibps;
    } finally {
      await stopAll(generators);
      await relay.stop();
    }
  }
  log(`one relay: ${single.toFixed(1)} MiB/s; ${machineNote()}`);
  const behindBalancer = async (nodes: number): Promise<number> => {
    const cluster = await startCluster(nodes, MANY_PEERS);
    const generators = await startGenerators(2);
    try {
      return (await throughputOf(cluster.haproxy.wsUrl, generators, sessions, windowMs)).mibps;
    } finally {
      await stopAll(generators);
      await cluster.stop();
    }
  };
  // One node behind HAProxy tells the balancer's own cost apart from the cluster's.
  const one = await behindBalancer(1);
  log(`one node on Redis behind HAProxy: ${one.toFixed(1)} MiB/s; ${machineNote()}`);
  const three = await behindBalancer(3);
  log(`three nodes behind HAProxy: ${three.toFixed(1)} MiB/s; ${machineNote()}`);
  return {
    case: `aggregate forwarding, ${sessions} sessions streaming 50 KB frames as fast as acked`, value: three, unit: 'MiB/s',
    baseline: { name: 'one relay, no Redis', value: single },
    note: `one node on Redis behind the same HAProxy: ${one.toFixed(1)} MiB/s; round robin puts about 2 pairs in 3 across two nodes (one more hop); three nodes, HAProxy and the generators share this machine's cores; ${windowMs / 1000} s windows; ${machineNote()}`,
  };
}

/** One window of the probe pair (same node or across two) beside streaming sessions on node 1. */
async function probeWindow(cluster: TestCluster, generator: Generator, across: boolean, windowMs: number, group: string): Promise<{ p50: number; p99: number; lost: number; n: number }> {
  const [n1, n2] = cluster.nodes as [TestNode, TestNode];
  const opened = await generator.open(group, n1.wsUrl, 1, PROBE, 1, (across ? n2 : n1).wsUrl);
  if (opened.opened !== 1) throw new Error(`the probe did not pair: ${opened.firstError}`);
  await sleep(1000);
  await generator.reset();
  await sleep(windowMs);
  const m = merge([await generator.stats()], group);
  await generator.quiet(true, group);
  return { p50: m.input.percentile(50), p99: m.input.percentile(99), lost: m.inputLost, n: m.input.count };
}

async function measureLatency(log: (m: string) => void, repeats: number, windowMs: number, background: number): Promise<BenchRow[]> {
  const cluster = await startCluster(3, MANY_PEERS);
  const generators = await startGenerators(2);
  try {
    const [probe, load] = generators as [Generator, Generator];
    // Background: sessions streaming through node 1, half of them with their technicians on node 2,
    // so both kinds of probe share a busy node.
    const half = Math.floor(background / 2);
    const n1 = cluster.nodes[0]!.wsUrl;
    await load.open('background', n1, half, BACKGROUND, 10);
    await load.open('background', n1, background - half, BACKGROUND, 10, cluster.nodes[1]!.wsUrl);
    const same: Array<{ p50: number; p99: number; lost: number; n: number }> = [];
    const across: typeof same = [];
    for (let i = 0; i < repeats; i++) {
      for (const cross of i % 2 === 0 ? [false, true] : [true, false]) {
        const r = await probeWindow(cluster, probe, cross, windowMs, `probe-${i}-${cross ? 'x' : 's'}`);
        (cross ? across : same).push(r);
        log(`${cross ? 'across nodes' : 'same node'}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.n} events, ${r.lost} lost); ${machineNote()}`);
      }
    }
    const sameP99 = median(same.map((r) => r.p99));
    const acrossP99 = median(across.map((r) => r.p99));
    const lost = [...same, ...across].reduce((a, r) => a + r.lost, 0);
    const context = `beside ${background} sessions streaming 20 KB every 100 ms (half of them across nodes); median of ${repeats} alternating ${windowMs / 1000} s windows; ${machineNote()}`;
    return [
      {
        case: 'input technician→client p50, pair across two nodes', value: median(across.map((r) => r.p50)), unit: 'ms',
        baseline: { name: 'pair on one node', value: median(same.map((r) => r.p50)) }, note: context,
      },
      {
        case: 'input technician→client p99, pair across two nodes', value: acrossP99, unit: 'ms',
        baseline: { name: 'pair on one node', value: sameP99 },
        target: { text: `added p99 ≤ ${TARGET_ADDED_P99_MS} ms`, met: acrossP99 - sameP99 <= TARGET_ADDED_P99_MS && lost === 0 },
        note: `added ${(acrossP99 - sameP99).toFixed(2)} ms; ${lost} events lost`,
      },
    ];
  } finally {
    await stopAll(generators);
    await cluster.stop();
  }
}

/** Every Redis command served so far, but INFO (which this bench itself sends). */
async function commandsServed(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) if (m[1] !== 'info') total += Number(m[2]);
  return total;
}

async function measureRedisCost(log: (m: string) => void, sessions: number, windowMs: number): Promise<BenchRow[]> {
  const cluster = await startCluster(3, MANY_PEERS);
  const redis = new Redis(cluster.redis.url);
  const generators = await startGenerators(2);
  try {
    await sleep(1000);
    let a = await commandsServed(redis);
    await sleep(windowMs);
    let b = await commandsServed(redis);
    const nodesOnly = (b - a) / (windowMs / 60_000);
    log(`three nodes, no session: ${nodesOnly.toFixed(0)} commands/min`);
    a = await commandsServed(redis);
    const opened = await openSpread(generators, 'idle', cluster.haproxy.wsUrl, sessions, IDLE_SESSION, 20);
    if (opened.opened !== sessions) throw new Error(`${sessions - opened.opened} idle sessions did not pair: ${opened.firstError}`);
    b = await commandsServed(redis);
    const perPairing = (b - a) / sessions;
    await sleep(2000);
    a = await commandsServed(redis);
    await sleep(windowMs);
    b = await commandsServed(redis);
    const withSessions = (b - a) / (windowMs / 60_000);
    const perIdle = Math.max(0, withSessions - nodesOnly) / sessions;
    log(`${sessions} idle sessions: ${withSessions.toFixed(0)} commands/min in all; pairing cost ${perPairing.toFixed(1)} commands per session; ${machineNote()}`);
    return [
      {
        case: `Redis commands per idle paired session per minute (${sessions} sessions over 3 nodes)`, value: perIdle, unit: 'commands/min',
        target: { text: 'a handful', met: perIdle <= 5 },
        note: `the nodes' own heartbeats: ${nodesOnly.toFixed(0)} commands/min for 3 nodes, whatever the sessions; pairing a session cost ${perPairing.toFixed(1)} commands once; ${windowMs / 1000} s windows`,
      },
    ];
  } finally {
    redis.disconnect();
    await stopAll(generators);
    await cluster.stop();
  }
}

async function measureNodeDeath(log: (m: string) => void, rounds: number, pairsPerRound: number): Promise<BenchRow> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cluster = await startCluster(3, { RESUME_GRACE_MS: String(GRACE_MS) });
    const pairs: Array<{ customer: Customer; tech: Technician; owner?: TestNode }> = [];
    try {
      const paired = async (): Promise<number[]> => Promise.all(cluster.nodes.map(async (n) => ((await (await fetch(`${n.url}/healthz`)).json()) as { sessions: { paired: number } }).sessions.paired));
      for (let i = 0; i < pairsPerRound; i++) {
        const before = await paired();
        const customer = await startCustomer(cluster.haproxy.wsUrl, `PC-${i}`);
        const tech = startTechnician(cluster.haproxy.wsUrl, await codeOf(customer));
        await connected(customer, tech);
        const after = await paired();
        pairs.push({ customer, tech, owner: cluster.nodes.find((_, k) => after[k]! === before[k]! + 1) });
      }
      const victim = cluster.nodes.reduce((best, n) => (pairs.filter((p) => p.owner === n).length > pairs.filter((p) => p.owner === best).length ? n : best));
      const doomed = pairs.filter((p) => p.owner === victim);
      const typing = setInterval(() => { for (const p of pairs) p.tech.session.sendInput({ kind: 'text', text: 'x' }); }, 50);
      const statesAtKill = new Map(doomed.map((p) => [p, p.customer.states.length] as const));
      const killedAt = Date.now();
      await victim.kill();
      const done = new Map<number, number>();
      const deadline = killedAt + GRACE_MS;
      while (done.size < doomed.length && Date.now() < deadline) {
        for (const [k, p] of doomed.entries()) {
          if (!done.has(k) && p.customer.agent.session.current.kind === 'sharing' && p.tech.session.snapshot.state === 'connected'
            && p.tech.session.reconnecting === undefined && p.customer.states.slice(statesAtKill.get(p)!).some((s) => s.kind === 'reconnecting')) done.set(k, Date.now() - killedAt);
        }
        await sleep(2);
      }
      clearInterval(typing);
      if (done.size < doomed.length) {
        const stuck = doomed.filter((_, k) => !done.has(k)).map((p) => `customer ${p.customer.agent.session.current.kind}, technician ${p.tech.session.snapshot.state}${p.tech.session.reconnecting ? ` (waiting for ${p.tech.session.reconnecting})` : ''}`);
        throw new Error(`${doomed.length - done.size} of ${doomed.length} sessions did not resume within the grace period: ${stuck.join('; ')}`);
      }
      times.push(...done.values());
      log(`round ${round + 1}: ${doomed.length} sessions of the dead node resumed after ${[...done.values()].sort((x, y) => x - y).join(', ')} ms; ${machineNote()}`);
    } finally {
      for (const p of pairs) p.tech.session.disconnect();
      for (const p of pairs) await p.customer.agent.close();
      await cluster.stop();
    }
  }
  return {
    case: `kill -9 of a node → its sessions resumed elsewhere, p95 (${times.length} sessions, ${rounds} kills)`, value: percentile(times, 95), unit: 'ms',
    target: { text: `< grace period (${GRACE_MS / 1000} s)`, met: percentile(times, 95) < GRACE_MS },
    note: `p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms; real agent and page session through HAProxy, typing every 50 ms; heartbeat 300 ms; ${machineNote()}`,
  };
}

const bench: Benchmark = {
  name: 'relay-cluster',
  description: 'three relay nodes on Redis behind HAProxy: throughput vs one relay, cross-node input latency, Redis commands per idle session, node death to resume',
  async run(log, args) {
    await ensureServersBuilt(log);
    if (!hasClusterTools()) throw new Error('redis-server and haproxy are needed: apt-get install redis-server haproxy');
    const only = benchArg(args, 'only');
    const windowMs = Number(benchArg(args, 'window-ms') ?? 8000);
    const rows: BenchRow[] = [];
    if (only === undefined || only === 'throughput') rows.push(await measureThroughput(log, Number(benchArg(args, 'sessions') ?? 30), windowMs));
    if (only === undefined || only === 'latency') rows.push(...await measureLatency(log, Number(benchArg(args, 'repeats') ?? 3), windowMs, Number(benchArg(args, 'background') ?? 40)));
    if (only === undefined || only === 'redis') rows.push(...await measureRedisCost(log, Number(benchArg(args, 'idle') ?? 300), Math.max(windowMs, 15_000)));
    if (only === undefined || only === 'death') rows.push(await measureNodeDeath(log, Number(benchArg(args, 'kills') ?? 3), Number(benchArg(args, 'pairs') ?? 9)));
    return rows;
  },
};

export default bench;
