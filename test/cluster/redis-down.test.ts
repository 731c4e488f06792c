import { spawn } from 'node:child_process';
import { hasClusterTools, startCluster, type TestCluster, type TestNode } from '../support/cluster';
import { stopChild } from '../support/xvfb';
import { eventually } from '../support/relay-harness';
import { codeOf, connected, startCustomer, startTechnician, typed, type Customer, type Technician } from './support';

/**
 * Issue 14 item 3, the store's side: Redis goes away. Each node says so on /healthz and in
 * its log, keeps serving the sessions it holds (a cross-node session too: frames and input
 * never went through Redis), still pairs its own customers, and says Redis is back once
 * it is.
 */
const run = hasClusterTools() ? describe : describe.skip;

async function redisState(node: TestNode): Promise<string> {
  const res = await fetch(`${node.url}/healthz`);
  expect(res.status).toBe(200);
  const body = await res.json() as { cluster?: { redis: string; node: string } };
  return body.cluster?.redis ?? 'absent';
}

run('Redis goes away', () => {
  let cluster: TestCluster;
  const customers: Customer[] = [];
  const techs: Technician[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2);
  }, 60_000);
  afterAll(async () => {
    for (const t of techs) t.session.disconnect();
    for (const c of customers) await c.agent.close();
    await cluster?.stop();
  });

  test('healthz and the log say so, held sessions go on, a node still pairs its own customers, and Redis back is seen', async () => {
    const [n1, n2] = cluster.nodes as [TestNode, TestNode];
    expect(await redisState(n1)).toBe('up');
    const customer = await startCustomer(n1.wsUrl);
    customers.push(customer);
    const tech = startTechnician(n2.wsUrl, await codeOf(customer));
    techs.push(tech);
    await connected(customer, tech);

    await cluster.redis.process.kill('SIGKILL');
    await eventually(async () => (await redisState(n1)) === 'down' && (await redisState(n2)) === 'down', 10_000, 'both nodes to report redis down');
    for (const node of [n1, n2]) expect(node.log()).toMatch(/"level":50[^\n]*redis/);

    // The cross-node session carries on: input goes node to node.
    for (let i = 0; i < 5; i++) expect(tech.session.sendInput({ kind: 'text', text: `sin redis ${i}` })).toBe(true);
    await eventually(() => typed(customer.sink).length === 5, 10_000, 'input without redis');

    // A new customer and technician on one node pair as a single relay would.
    const local = await startCustomer(n2.wsUrl, 'PC-LOCAL');
    customers.push(local);
    const localTech = startTechnician(n2.wsUrl, await codeOf(local));
    techs.push(localTech);
    await connected(local, localTech);

    // Redis back on the same port: the nodes see it.
    const again = spawn('redis-server', ['--port', String(cluster.redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', cluster.dir], { stdio: 'ignore' });
    try {
      await eventually(async () => (await redisState(n1)) === 'up' && (await redisState(n2)) === 'up', 15_000, 'both nodes to see redis back');
      expect(n1.log().split('redis connected').length - 1).toBeGreaterThanOrEqual(2);
    } finally {
      await stopChild(again, 3000);
    }
  }, 90_000);
});
