import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FrameFlag } from '../../protocol';
import { nodeSha256 } from '../../client/files/node-file-source';
import type { FileSink } from '../../common/files/file-io';
import type { TransferOutcome } from '../../common/files/file-transfers';
import { legacyCall } from '../support/relay-harness';
import { eventually } from '../support/relay-harness';
import { hasClusterTools, startCluster, type TestCluster } from '../support/cluster';
import { codeOf, connected, pairedCount, startCustomer, startTechnician, typed, type Customer, type Technician } from './support';

/**
 * Issue 14 item 2: three real relay processes sharing Redis, HAProxy in front. A customer
 * on one node and a technician on another are one session: the technician's node relays
 * it to the customer's over a node-to-node link, for WebSocket and legacy polling peers.
 */
const run = hasClusterTools() ? describe : describe.skip;

run('pairs across relay nodes', () => {
  let cluster: TestCluster;
  const customers: Customer[] = [];
  const techs: Technician[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 60_000);
  afterAll(async () => {
    for (const t of techs) t.session.disconnect();
    for (const c of customers) await c.agent.close();
    await cluster?.stop();
  });

  test('a customer on node 1 and a technician on node 2: sealed session, input and frames flow, the session lives on node 1 only', async () => {
    const [n1, n2] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const customer = await startCustomer(n1.wsUrl);
    customers.push(customer);
    const tech = startTechnician(n2.wsUrl, await codeOf(customer));
    techs.push(tech);
    await connected(customer, tech);
    expect(customer.agent.session.current).toMatchObject({ kind: 'sharing', encrypted: true, technicianName: 'Ana (CompuEasys)' });
    for (let i = 0; i < 10; i++) expect(tech.session.sendInput({ kind: 'text', text: `tecla ${i}` })).toBe(true);
    await eventually(() => typed(customer.sink).length === 10, 10_000, 'the input across nodes');
    expect(typed(customer.sink)).toEqual(Array.from({ length: 10 }, (_, i) => `type tecla ${i}`));
    // The fake screen is still: its first, full update crosses the nodes.
    await eventually(() => tech.frames.some((flags) => (flags & FrameFlag.FULL) !== 0), 10_000, 'a full frame across nodes');
    // One session, held by the customer's node; node 2 only relays.
    expect(await pairedCount(n1.url)).toBe(1);
    expect(await pairedCount(n2.url)).toBe(0);
    // Never a code or a credential in a node's log.
    const code = customer.states.find((s) => s.kind === 'code');
    for (const node of cluster.nodes) {
      if (code?.kind === 'code') expect(node.log()).not.toContain(code.code);
    }
    tech.session.disconnect();
    await customer.agent.close();
  });

  test('through the load balancer: every pair works wherever each side landed', async () => {
    const pairs: Array<{ customer: Customer; tech: Technician }> = [];
    for (let i = 0; i < 4; i++) {
      const customer = await startCustomer(cluster.haproxy.wsUrl);
      customers.push(customer);
      const tech = startTechnician(cluster.haproxy.wsUrl, await codeOf(customer));
      techs.push(tech);
      pairs.push({ customer, tech });
    }
    for (const [i, { customer, tech }] of pairs.entries()) {
      await connected(customer, tech);
      expect(tech.session.sendInput({ kind: 'text', text: `par ${i}` })).toBe(true);
    }
    for (const [i, { customer }] of pairs.entries()) {
      await eventually(() => typed(customer.sink).length === 1, 10_000, `pair ${i}'s input`);
      expect(typed(customer.sink)).toEqual([`type par ${i}`]);
    }
    // Round robin spread them: more than one node holds sessions.
    const held = await Promise.all(cluster.nodes.map((n) => pairedCount(n.url)));
    expect(held.reduce((a, b) => a + b, 0)).toBe(4);
    expect(held.filter((n) => n > 0).length).toBeGreaterThan(1);
    for (const { customer, tech } of pairs) {
      tech.session.disconnect();
      await customer.agent.close();
    }
  });

  test('legacy polling: a client registered on node 1, a technician connecting on node 2, each call on any node', async () => {
    const [n1, n2, n3] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const code = String(100000 + Math.floor(Math.random() * 800000));
    const reg = await legacyCall(n1.url, 'register_client', { client_id: 'OFICINA-PC', access_code: code });
    expect(reg).toMatchObject({ status: 200, json: { success: true } });
    const clientId = reg.json.session_id as string;
    const join = await legacyCall(n2.url, 'connect_technician', { access_code: code, technician_name: 'Luis' });
    expect(join).toMatchObject({ status: 200, json: { success: true, status: 'paired' } });
    const techId = join.json.session_id as string;
    // The technician's action, sent to node 3, reaches the client polling node 2.
    const sent = await legacyCall(n3.url, 'send_message', { session_id: techId, sender: 'technician', message: { type: 'click', x: 10, y: 20 } });
    expect(sent).toMatchObject({ status: 200, json: { success: true, delivered: true } });
    const got = await legacyCall(n2.url, 'receive_messages', { session_id: clientId, receiver: 'client', wait_ms: 2000 });
    expect(got.status).toBe(200);
    expect(got.json.messages).toEqual(expect.arrayContaining([expect.objectContaining({ sender: 'technician', message: expect.objectContaining({ type: 'click', x: 10, y: 20 }) })]));
    // And through the balancer, whichever node each call reaches.
    for (let i = 0; i < 6; i++) {
      const viaLb = await legacyCall(cluster.haproxy.url, 'send_message', { session_id: clientId, sender: 'client', message: { type: 'note', n: i } });
      expect(viaLb).toMatchObject({ status: 200, json: { success: true, delivered: true } });
    }
    const techGot: any[] = [];
    await eventually(async () => {
      const r = await legacyCall(cluster.haproxy.url, 'receive_messages', { session_id: techId, receiver: 'technician', wait_ms: 500 });
      techGot.push(...(r.json.messages ?? []));
      return techGot.filter((m) => m.message?.type === 'note').length === 6;
    }, 10_000, 'the client\'s six notes');
    expect(techGot.filter((m) => m.message?.type === 'note').map((m) => m.message.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await legacyCall(cluster.haproxy.url, 'disconnect', { session_id: techId, sender: 'technician' })).toMatchObject({ status: 200 });
  });

  test('a legacy technician on node 3 joins a WebSocket customer on node 1', async () => {
    const [n1, , n3] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const { WsTestPeer } = await import('../support/ws-peer');
    const client = await WsTestPeer.hello(n1.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'RECEPCION' });
    const codeMsg = await client.next('code');
    const join = await legacyCall(n3.url, 'connect_technician', { access_code: codeMsg.code, technician_name: 'Luis' });
    expect(join).toMatchObject({ status: 200, json: { success: true, status: 'pending_consent' } });
    const ask = await client.next('consent-request');
    expect(ask.technicianName).toBe('Luis');
    client.sendJson({ type: 'consent', granted: true, viewOnly: false });
    await client.next('paired');
    const sent = await legacyCall(n3.url, 'send_message', { session_id: join.json.session_id, sender: 'technician', message: { action: 'mouse_click', x: 5, y: 6, button: 'left' } });
    expect(sent).toMatchObject({ status: 200, json: { success: true, delivered: true } });
    const input = await client.next('input');
    expect(input.event).toEqual({ kind: 'click', x: 5, y: 6, button: 'left' });
    client.close();
  });

  test('files both ways between a technician on node 2 and a customer on node 1: the sealed chunks cross the node link whole', async () => {
    const [n1, n2] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0]];
    const root = await mkdtemp(path.join(os.tmpdir(), 'cluster-files-'));
    const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    const customerDone: TransferOutcome[] = [];
    const techDone: TransferOutcome[] = [];
    const received: Uint8Array[] = [];
    const picked = path.join(root, 'registro.log');
    try {
      const customer = await startCustomer(n1.wsUrl, 'PC-MARIA', {
        downloadsFolder: path.join(root, 'Downloads'),
        maxFileBytes: 64 * 1024 * 1024,
        confirmReceive: async () => true,
        pickFile: async () => picked,
        onProgress: () => undefined,
        onFinished: (_info, outcome) => customerDone.push(outcome),
      });
      customers.push(customer);
      const sink: FileSink = {
        write: async (bytes) => { received.push(bytes); },
        commit: async () => 'download',
        discard: async () => { received.length = 0; },
      };
      const tech = startTechnician(n2.wsUrl, await codeOf(customer), {
        openIncoming: async () => sink,
        createHasher: nodeSha256,
        onProgress: () => undefined,
        onFinished: (_info, outcome) => techDone.push(outcome),
      });
      techs.push(tech);
      await connected(customer, tech);
      await eventually(() => tech.session.canTransferFiles, 10_000, 'files offered across nodes');

      const toCustomer = new Uint8Array(randomBytes(8 * 1024 * 1024));
      expect(tech.session.sendFile({ name: 'parche.bin', size: toCustomer.length, read: async (o, l) => toCustomer.slice(o, o + l), close: async () => undefined })).toBeGreaterThan(0);
      await eventually(() => techDone.length === 1 && customerDone.length === 1, 60_000, 'the file to the customer');
      expect([techDone[0], customerDone[0]]).toEqual(['sent', 'saved']);
      expect(sha(await readFile(path.join(root, 'Downloads', 'parche.bin')))).toBe(sha(toCustomer));

      const fromCustomer = new Uint8Array(randomBytes(8 * 1024 * 1024));
      await writeFile(picked, fromCustomer);
      expect(tech.session.requestFile()).toBeGreaterThan(0);
      await eventually(() => techDone.length === 2, 60_000, 'the file from the customer');
      expect(techDone[1]).toBe('saved');
      expect(sha(Buffer.concat(received))).toBe(sha(fromCustomer));
      tech.session.disconnect();
      await customer.agent.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
