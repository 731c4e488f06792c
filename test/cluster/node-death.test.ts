import { hasClusterTools, startCluster, type TestCluster, type TestNode } from '../support/cluster';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { eventually } from '../support/relay-harness';
import { codeOf, connected, sessionsOn, startCustomer, startTechnician, typed, type Customer, type Technician } from './support';

/**
 * Issue 14 item 3: `kill -9` of one node of three, under load, with HAProxy in front.
 * Sessions held by the other nodes lose nothing (input sent all along arrives once and in
 * order); the dead node's sessions are taken over by another node when their peers
 * reconnect through the balancer, within the grace period, with no new code and no new
 * question; a customer that was waiting on the dead node registers again and shows a new
 * code that works.
 */
const run = hasClusterTools() ? describe : describe.skip;

const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';
const GRACE_MS = 30_000;
const PAIRS = 6;

interface Pair {
  readonly name: string;
  readonly customer: Customer;
  readonly tech: Technician;
  /** The node that held the session before the kill. */
  owner?: TestNode;
  sent: string[];
}

run('a relay node dies under load', () => {
  let cluster: TestCluster;
  const pairs: Pair[] = [];
  let waiting: Customer | undefined;
  let late: Technician | undefined;
  /** The typing load, stopped by the test or, if it fails, here. */
  let typing: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    cluster = await startCluster(3, { ADMIN_TOKEN, RESUME_GRACE_MS: String(GRACE_MS) });
  }, 60_000);
  afterAll(async () => {
    clearInterval(typing);
    for (const p of pairs) p.tech.session.disconnect();
    late?.session.disconnect();
    for (const p of pairs) await p.customer.agent.close();
    await waiting?.agent.close();
    await cluster?.stop();
  });

  test('kill -9 of the node that holds a waiting customer and some sessions', async () => {
    const lb = cluster.haproxy.wsUrl;
    // One at a time, so that the node whose count grows is the one that holds it.
    const counts = async (): Promise<Array<{ waiting: number; paired: number }>> => Promise.all(cluster.nodes.map(async (node) => {
      const body = await (await fetch(`${node.url}/healthz`)).json() as { sessions: { waiting: number; paired: number } };
      return body.sessions;
    }));
    for (let i = 0; i < PAIRS; i++) {
      const name = `PC-${i}`;
      const before = await counts();
      const customer = await startCustomer(lb, name);
      const tech = startTechnician(lb, await codeOf(customer));
      const pair: Pair = { name, customer, tech, sent: [] };
      pairs.push(pair);
      await connected(customer, tech);
      const after = await counts();
      pair.owner = cluster.nodes.find((_, k) => after[k]!.paired === before[k]!.paired + 1);
    }
    const beforeWaiting = await counts();
    waiting = await startCustomer(lb, 'PC-WAITING');
    const firstCode = await codeOf(waiting);
    const afterWaiting = await counts();
    const victim: TestNode | undefined = cluster.nodes.find((_, k) => afterWaiting[k]!.waiting === beforeWaiting[k]!.waiting + 1);
    expect(pairs.every((p) => p.owner !== undefined)).toBe(true);
    if (victim === undefined) throw new Error('the waiting customer is on no node');
    const doomed = pairs.filter((p) => p.owner === victim);
    const spared = pairs.filter((p) => p.owner !== victim);
    expect(doomed.length).toBeGreaterThan(0);
    expect(spared.length).toBeGreaterThan(0);

    // Load: every technician types all along, before, during and after the kill.
    let n = 0;
    typing = setInterval(() => {
      for (const p of pairs) {
        const text = `k${n}`;
        if (p.tech.session.sendInput({ kind: 'text', text })) p.sent.push(`type ${text}`);
      }
      n++;
    }, 25);
    await eventually(() => pairs.every((p) => typed(p.customer.sink).length >= 5), 10_000, 'input flowing in every session');

    const statesAtKill = new Map(doomed.map((p) => [p, p.customer.states.length] as const));
    const killedAt = Date.now();
    await victim.kill();
    const resumedAfter = new Map<Pair, number>();
    const watch = setInterval(() => {
      for (const p of doomed) {
        if (!resumedAfter.has(p) && p.customer.agent.session.current.kind === 'sharing' && p.tech.session.snapshot.state === 'connected'
          && p.tech.session.reconnecting === undefined && p.customer.states.slice(statesAtKill.get(p)!).some((s) => s.kind === 'reconnecting')) {
          resumedAfter.set(p, Date.now() - killedAt);
        }
      }
    }, 5);
    try {
      await eventually(() => resumedAfter.size === doomed.length, GRACE_MS, 'the dead node\'s sessions to resume elsewhere');
    } catch (e) {
      const stuck = doomed.filter((p) => !resumedAfter.has(p)).map((p) => `${p.name}: customer ${JSON.stringify(p.customer.agent.session.current)}, `
        + `technician ${JSON.stringify(p.tech.session.snapshot)} waiting for ${p.tech.session.reconnecting ?? 'nobody'}`);
      throw new Error(`${(e as Error).message}: ${stuck.join('; ')}`);
    } finally {
      clearInterval(watch);
    }
    // Typing goes on a while on the new node, then stops; everything sent arrives once, in order.
    const atResume = n;
    await eventually(() => n >= atResume + 10, 10_000, 'more input after the resume');
    clearInterval(typing);
    for (const p of pairs) {
      await eventually(() => typed(p.customer.sink).length >= p.sent.length, 15_000, `every input of ${p.name}`);
      expect(typed(p.customer.sink)).toEqual(p.sent);
      // The same session all along: one code, one question.
      expect(p.customer.states.filter((s) => s.kind === 'code')).toHaveLength(1);
      expect(p.customer.consentQuestions).toBe(1);
      expect(p.tech.session.snapshot.state).toBe('connected');
    }
    for (const ms of resumedAfter.values()) expect(ms).toBeLessThan(GRACE_MS);
    // The sessions of the nodes that live on were never ended nor moved.
    const survivors = cluster.nodes.filter((node) => node !== victim);
    const pairedNow = await Promise.all(survivors.map(async (node) => (await sessionsOn(node.url, ADMIN_TOKEN)).filter((x) => x.state === 'paired').length));
    expect(pairedNow.reduce((a, b) => a + b, 0)).toBe(PAIRS);
    for (const [k, node] of survivors.entries()) expect(pairedNow[k]).toBeGreaterThanOrEqual(spared.filter((p) => p.owner === node).length);
    // eslint-disable-next-line no-console
    console.log(`node death: ${doomed.length} sessions resumed after ${[...resumedAfter.values()].sort((a, b) => a - b).join(', ')} ms`);

    // The waiting customer registered again through the balancer and shows a new code, which works.
    await eventually(() => waiting!.states.filter((s) => s.kind === 'code').length >= 2 && waiting!.agent.session.current.kind === 'code', 15_000, 'a new code');
    const newCode = await codeOf(waiting!);
    expect(newCode).not.toBe(firstCode);
    late = startTechnician(lb, newCode);
    await connected(waiting!, late);
  }, 120_000);
});

run('both sides of a dead node\'s session come back on the same node', () => {
  let cluster: TestCluster;
  const proxies: CuttableProxy[] = [];
  let customer: Customer | undefined;
  let tech: Technician | undefined;

  beforeAll(async () => {
    cluster = await startCluster(2, { RESUME_GRACE_MS: String(GRACE_MS) });
  }, 60_000);
  afterAll(async () => {
    tech?.session.disconnect();
    await customer?.agent.close();
    for (const p of proxies) await p.close();
    await cluster?.stop();
  });

  test('the session is taken over once, and both sides resume into it there', async () => {
    const [n1, n2] = cluster.nodes as [TestNode, TestNode];
    const toCustomer = await startCuttableProxy(n1.wsUrl);
    const toTech = await startCuttableProxy(n1.wsUrl);
    proxies.push(toCustomer, toTech);
    customer = await startCustomer(toCustomer.wsUrl);
    tech = startTechnician(toTech.wsUrl, await codeOf(customer));
    await connected(customer, tech);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) if (tech.session.sendInput({ kind: 'text', text: `a${i}` })) sent.push(`type a${i}`);
    await eventually(() => typed(customer!.sink).length === 5, 10_000, 'input before the kill');

    // Both networks are down while the node dies; they come back together, to node 2.
    toCustomer.refusing = true;
    toTech.refusing = true;
    await n1.kill();
    await eventually(() => customer!.agent.session.current.kind === 'reconnecting' && tech!.session.reconnecting !== undefined, 10_000, 'both to notice');
    for (let i = 0; i < 5; i++) if (tech.session.sendInput({ kind: 'text', text: `b${i}` })) sent.push(`type b${i}`);
    toCustomer.retarget(n2.wsUrl);
    toTech.retarget(n2.wsUrl);
    toCustomer.refusing = false;
    toTech.refusing = false;
    await eventually(() => customer!.agent.session.current.kind === 'sharing' && tech!.session.snapshot.state === 'connected' && tech!.session.reconnecting === undefined,
      GRACE_MS, 'both sides back on node 2');
    await eventually(() => typed(customer!.sink).length === sent.length, 10_000, 'the input typed meanwhile');
    expect(typed(customer.sink)).toEqual(sent);
    expect(customer.states.filter((s) => s.kind === 'code')).toHaveLength(1);
    const body = await (await fetch(`${n2.url}/healthz`)).json() as { sessions: { paired: number } };
    expect(body.sessions.paired).toBe(1);
  }, 90_000);
});

run('a node stopped on purpose (SIGTERM) hands its resumable sessions over', () => {
  let cluster: TestCluster;
  const pairs: Pair[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, { RESUME_GRACE_MS: String(GRACE_MS) });
  }, 60_000);
  afterAll(async () => {
    for (const p of pairs) p.tech.session.disconnect();
    for (const p of pairs) await p.customer.agent.close();
    await cluster?.stop();
  });

  test('its sessions resume on the other nodes, with everything typed, without a new code', async () => {
    const lb = cluster.haproxy.wsUrl;
    const paired = async (): Promise<number[]> => Promise.all(cluster.nodes.map(async (n) => ((await (await fetch(`${n.url}/healthz`)).json()) as { sessions: { paired: number } }).sessions.paired));
    for (let i = 0; i < 4; i++) {
      const before = await paired();
      const customer = await startCustomer(lb, `PC-${i}`);
      const tech = startTechnician(lb, await codeOf(customer));
      await connected(customer, tech);
      const after = await paired();
      pairs.push({ name: `PC-${i}`, customer, tech, sent: [], owner: cluster.nodes.find((_, k) => after[k]! === before[k]! + 1) });
    }
    const stopped = cluster.nodes.reduce((best, n) => (pairs.filter((p) => p.owner === n).length > pairs.filter((p) => p.owner === best).length ? n : best));
    const moved = pairs.filter((p) => p.owner === stopped);
    expect(moved.length).toBeGreaterThan(0);
    const statesAtStop = new Map(moved.map((p) => [p, p.customer.states.length] as const));
    await stopped.stop();
    for (const p of pairs) for (let i = 0; i < 3; i++) if (p.tech.session.sendInput({ kind: 'text', text: `t${i}` })) p.sent.push(`type t${i}`);
    for (const p of moved) {
      await eventually(() => p.customer.agent.session.current.kind === 'sharing' && p.tech.session.snapshot.state === 'connected' && p.tech.session.reconnecting === undefined
        && p.customer.states.slice(statesAtStop.get(p)!).some((s) => s.kind === 'reconnecting'), GRACE_MS, `${p.name} back on another node`);
    }
    for (const p of pairs) {
      await eventually(() => typed(p.customer.sink).length >= p.sent.length, 10_000, `the input of ${p.name}`);
      expect(typed(p.customer.sink)).toEqual(p.sent);
      expect(p.customer.states.filter((s) => s.kind === 'code')).toHaveLength(1);
    }
    expect(stopped.log()).not.toContain('RS_ERR_SERVER_SHUTDOWN');
  }, 90_000);
});
