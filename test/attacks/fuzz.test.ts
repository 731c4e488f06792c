import fc from 'fast-check';
import WebSocket from 'ws';
import {
  encodeControl, encodeFrame, encodeFrameAck, FrameFlag, ImageFormat, UNSEALED_VERSION, type ControlMessage,
} from '../../protocol';
import type { Relay } from '../../relay/server';
import { closeAddressAgents, legacyCallFrom, loopbackAddress } from '../support/from-address';
import { startTestRelay } from '../support/relay-harness';
import { pairSession } from '../support/ws-peer';

/**
 * Random sequences of valid and invalid messages, binary frames, disconnects and polls
 * from many peers on both APIs, against one real relay per run, for a bounded time.
 * After each sequence: the relay is alive, no session has two technicians, no input
 * reached a client that did not allow control, memory stays bounded, and a fresh pair
 * still works.
 */

/** A WebSocket peer of the fuzz run, and what it saw. */
interface FuzzPeer {
  readonly role: 'client' | 'technician';
  readonly ws: WebSocket;
  /** The client's answer to the consent question it was last asked. */
  answer: 'control' | 'view-only' | 'deny' | undefined;
  /** A question is open: the next consent it sends answers it. */
  asked: boolean;
  /** The session tags it was told it is paired in. */
  readonly pairedIn: string[];
  /** Input it received while its last answer was not "control". */
  readonly forbiddenInput: unknown[];
  /** Codes it was given (clients). */
  readonly codes: string[];
  /** Input messages it received. */
  inputs: number;
  closed: boolean;
}

type Action =
  | { kind: 'connect'; role: 'client' | 'technician'; from: number }
  /** A whole valid pairing on two new peers, so the random traffic meets live sessions too. */
  | { kind: 'pair'; from: number; answer: 'control' | 'view-only' | 'deny' }
  | { kind: 'hello'; peer: number }
  | { kind: 'register'; peer: number }
  | { kind: 'join'; peer: number; known: boolean; guess: string }
  | { kind: 'consent'; peer: number; answer: 'control' | 'view-only' | 'deny' }
  | { kind: 'input'; peer: number; x: number; y: number }
  | { kind: 'screen-info'; peer: number }
  | { kind: 'frame'; peer: number; flags: number; size: number }
  | { kind: 'ack'; peer: number; flags: number }
  | { kind: 'garbage'; peer: number; text: string; binary: boolean }
  | { kind: 'bye'; peer: number }
  | { kind: 'close'; peer: number; abrupt: boolean }
  | { kind: 'legacy-register'; from: number; code: string }
  | { kind: 'legacy-connect'; from: number; known: boolean; guess: string }
  | { kind: 'legacy-send'; id: number; sender: 'client' | 'technician'; big: boolean }
  | { kind: 'legacy-poll'; id: number; receiver: 'client' | 'technician' }
  | { kind: 'legacy-disconnect'; id: number };

const peerIndex = fc.nat(15);
const code = fc.stringMatching(/^[0-9]{6}$/);
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('pair' as const), from: fc.nat(5), answer: fc.constantFrom('control' as const, 'view-only' as const, 'deny' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('connect' as const), role: fc.constantFrom('client' as const, 'technician' as const), from: fc.nat(5) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('hello' as const), peer: peerIndex }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('register' as const), peer: peerIndex }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('join' as const), peer: peerIndex, known: fc.boolean(), guess: code }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('consent' as const), peer: peerIndex, answer: fc.constantFrom('control' as const, 'view-only' as const, 'deny' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('input' as const), peer: peerIndex, x: fc.nat(2000), y: fc.nat(2000) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('screen-info' as const), peer: peerIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('frame' as const), peer: peerIndex, flags: fc.nat(255), size: fc.nat(70_000) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('ack' as const), peer: peerIndex, flags: fc.constantFrom(0, 0, 1, 0x80) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('garbage' as const), peer: peerIndex, text: fc.string({ maxLength: 300 }), binary: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('bye' as const), peer: peerIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const), peer: peerIndex, abrupt: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('legacy-register' as const), from: fc.nat(5), code }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('legacy-connect' as const), from: fc.nat(5), known: fc.boolean(), guess: code }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('legacy-send' as const), id: fc.nat(7), sender: fc.constantFrom('client' as const, 'technician' as const), big: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('legacy-poll' as const), id: fc.nat(7), receiver: fc.constantFrom('client' as const, 'technician' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('legacy-disconnect' as const), id: fc.nat(7) }), weight: 1 },
);

/** One run: its relay, its peers, and what they learned. */
class Run {
  readonly peers: FuzzPeer[] = [];
  readonly legacyIds: string[] = [];
  readonly legacyCodes: string[] = [];

  constructor(readonly relay: Relay) {}

  private peer(i: number): FuzzPeer | undefined {
    return this.peers.length === 0 ? undefined : this.peers[i % this.peers.length];
  }

  private send(peer: FuzzPeer | undefined, data: string | Uint8Array, binary = typeof data !== 'string'): void {
    if (peer !== undefined && peer.ws.readyState === WebSocket.OPEN) peer.ws.send(data, { binary });
  }

  private knownCode(): string | undefined {
    const all = [...this.peers.flatMap((p) => p.codes), ...this.legacyCodes];
    return all[all.length - 1];
  }

  async connect(role: 'client' | 'technician', from: number): Promise<void> {
    const ws = new WebSocket(this.relay.wsUrl, { localAddress: loopbackAddress(120, from) });
    const peer: FuzzPeer = { role, ws, answer: undefined, asked: false, pairedIn: [], forbiddenInput: [], codes: [], inputs: 0, closed: false };
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) return;
      let m: ControlMessage;
      try {
        m = JSON.parse(data.toString('utf8')) as ControlMessage;
      } catch {
        return;
      }
      if (m.type === 'code') peer.codes.push(m.code);
      if (m.type === 'paired') peer.pairedIn.push(m.sessionId);
      if (m.type === 'input') peer.inputs++;
      if (m.type === 'input' && peer.answer !== 'control') peer.forbiddenInput.push(m);
      if (m.type === 'consent-request') {
        peer.answer = undefined;
        peer.asked = true;
      }
    });
    ws.on('close', () => { peer.closed = true; });
    ws.on('error', () => undefined);
    await new Promise<void>((done) => {
      ws.once('open', () => done());
      ws.once('error', () => done());
      ws.once('close', () => done());
    });
    this.peers.push(peer);
  }

  /** Waits until `peer` got a message of `type`, or the socket closed (bounded by the test's deadline). */
  private async seen(peer: FuzzPeer, type: string): Promise<boolean> {
    return new Promise((done) => {
      if (peer.closed) {
        done(false);
        return;
      }
      const onMessage = (data: Buffer, binary: boolean): void => {
        if (!binary && data.toString('utf8').includes(`"type":"${type}"`)) finish(true);
      };
      const onClose = (): void => finish(false);
      const finish = (result: boolean): void => {
        peer.ws.off('message', onMessage);
        peer.ws.off('close', onClose);
        done(result);
      };
      peer.ws.on('message', onMessage);
      peer.ws.once('close', onClose);
    });
  }

  private async pair(from: number, answer: 'control' | 'view-only' | 'deny'): Promise<void> {
    await this.connect('client', from);
    const client = this.peers[this.peers.length - 1]!;
    const welcomed = this.seen(client, 'welcome');
    this.send(client, encodeControl({ type: 'hello', version: UNSEALED_VERSION, role: 'client' }));
    if (!(await welcomed)) return;
    const coded = this.seen(client, 'code');
    this.send(client, encodeControl({ type: 'register', name: 'FUZZ-PC' }));
    if (!(await coded)) return;
    await this.connect('technician', from + 1);
    const tech = this.peers[this.peers.length - 1]!;
    const techWelcomed = this.seen(tech, 'welcome');
    this.send(tech, encodeControl({ type: 'hello', version: UNSEALED_VERSION, role: 'technician' }));
    if (!(await techWelcomed)) return;
    const asked = this.seen(client, 'consent-request');
    this.send(tech, encodeControl({ type: 'join', code: client.codes[client.codes.length - 1]!, name: 'Fuzz' }));
    if (!(await asked)) return;
    client.answer = answer;
    client.asked = false;
    this.send(client, encodeControl({ type: 'consent', granted: answer !== 'deny', viewOnly: answer === 'view-only' }));
  }

  async apply(a: Action): Promise<void> {
    switch (a.kind) {
      case 'connect': return this.connect(a.role, a.from);
      case 'pair': return this.pair(a.from, a.answer);
      case 'hello': {
        const p = this.peer(a.peer);
        return this.send(p, encodeControl({ type: 'hello', version: UNSEALED_VERSION, role: p?.role ?? 'client' }));
      }
      case 'register': return this.send(this.peer(a.peer), encodeControl({ type: 'register', name: 'FUZZ' }));
      case 'join': return this.send(this.peer(a.peer), encodeControl({ type: 'join', code: (a.known ? this.knownCode() : undefined) ?? a.guess, name: 'Fuzz' }));
      case 'consent': {
        const p = this.peer(a.peer);
        // Only an answer to an open question counts; any other consent is refused by the relay.
        if (p !== undefined && p.asked && p.ws.readyState === WebSocket.OPEN) {
          p.answer = a.answer;
          p.asked = false;
        }
        return this.send(p, encodeControl({ type: 'consent', granted: a.answer !== 'deny', viewOnly: a.answer === 'view-only' }));
      }
      case 'input': {
        // Mostly from a technician (that is where input matters), now and then from anyone.
        const technicians = this.peers.filter((p) => p.role === 'technician');
        const from = a.peer % 4 === 0 || technicians.length === 0 ? this.peer(a.peer) : technicians[a.peer % technicians.length];
        return this.send(from, encodeControl({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: a.x, y: a.y } }));
      }
      case 'screen-info':
        return this.send(this.peer(a.peer), encodeControl({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 800, height: 600, primary: true }], streaming: 0 }));
      case 'frame': {
        const frame = encodeFrame({
          flags: FrameFlag.FULL | FrameFlag.LAST, seq: 1, captureTimeMs: 1, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
          x: 0, y: 0, width: 10, height: 10, screenWidth: 10, screenHeight: 10,
        }, new Uint8Array(Math.max(1, a.size)));
        frame[1] = a.flags;
        return this.send(this.peer(a.peer), frame);
      }
      case 'ack': {
        const ack = encodeFrameAck(1, 1);
        ack[1] = a.flags;
        return this.send(this.peer(a.peer), ack);
      }
      case 'garbage': return this.send(this.peer(a.peer), a.binary ? new TextEncoder().encode(a.text) : a.text, a.binary);
      case 'bye': return this.send(this.peer(a.peer), encodeControl({ type: 'bye' }));
      case 'close': {
        const p = this.peer(a.peer);
        if (a.abrupt) p?.ws.terminate();
        else p?.ws.close();
        return;
      }
      case 'legacy-register': {
        const r = await legacyCallFrom(this.relay.url, 'register_client/', { client_id: 'FUZZ', access_code: a.code }, loopbackAddress(121, a.from));
        if (r.status === 200) {
          this.legacyIds.push(r.json.session_id);
          this.legacyCodes.push(a.code);
        }
        return;
      }
      case 'legacy-connect': {
        const accessCode = (a.known ? this.knownCode() : undefined) ?? a.guess;
        const r = await legacyCallFrom(this.relay.url, 'connect_technician/', { access_code: accessCode }, loopbackAddress(121, a.from));
        if (r.status === 200) this.legacyIds.push(r.json.session_id);
        return;
      }
      case 'legacy-send': {
        const id = this.legacyIds[a.id % Math.max(1, this.legacyIds.length)] ?? 'session_none';
        const message = a.sender === 'client'
          ? { type: a.big ? 'note' : 'screen', data: 'x'.repeat(a.big ? 40_000 : 10) }
          : { action: 'type_text', text: a.big ? 'y'.repeat(20_000) : 'hola' };
        await legacyCallFrom(this.relay.url, 'send_message/', { session_id: id, sender: a.sender, message }, loopbackAddress(121, 0));
        return;
      }
      case 'legacy-poll': {
        const id = this.legacyIds[a.id % Math.max(1, this.legacyIds.length)] ?? 'session_none';
        await legacyCallFrom(this.relay.url, 'receive_messages/', { session_id: id, receiver: a.receiver }, loopbackAddress(121, 0));
        return;
      }
      case 'legacy-disconnect': {
        const id = this.legacyIds[a.id % Math.max(1, this.legacyIds.length)] ?? 'session_none';
        await legacyCallFrom(this.relay.url, 'disconnect/', { session_id: id }, loopbackAddress(121, 0));
        return;
      }
      default: {
        const unreachable: never = a;
        return unreachable;
      }
    }
  }

  /** Lets every message in flight arrive: a round trip through the relay on a fresh socket. */
  async settle(): Promise<void> {
    const res = await fetch(`${this.relay.url}/healthz`);
    expect(res.status).toBe(200);
    await new Promise<void>((done) => setImmediate(done));
  }

  close(): void {
    for (const p of this.peers) p.ws.terminate();
  }
}

describe('fuzz: random traffic from many peers on both APIs', () => {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => { crashes.push(err); };
  beforeAll(() => process.on('uncaughtException', onCrash));
  afterAll(() => {
    process.off('uncaughtException', onCrash);
    closeAddressAgents();
  });

  test('the relay stays alive and every invariant holds', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const seen = { runs: 0, actions: 0, pairings: 0, inputsDelivered: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 100 }), async (actions) => {
        const relay = await startTestRelay({ consentTimeoutMs: 2000, legacySendsPerSecond: 20 });
        const run = new Run(relay);
        try {
          for (const a of actions) await run.apply(a);
          await run.settle();
          seen.runs++;
          seen.actions += actions.length;
          seen.pairings += run.peers.filter((p) => p.role === 'technician' && p.pairedIn.length > 0).length;
          seen.inputsDelivered += run.peers.reduce((n, p) => n + p.inputs, 0);

          // No session has two technicians: a session tag is in at most two peers' `paired`,
          // and only one of them a technician.
          const technicianTags = run.peers.filter((p) => p.role === 'technician').flatMap((p) => p.pairedIn);
          expect(new Set(technicianTags).size).toBe(technicianTags.length);
          // No input reached a client that had not allowed control.
          expect(run.peers.flatMap((p) => p.forbiddenInput)).toEqual([]);
          expect(crashes).toEqual([]);
          // The relay still works for a fresh pair.
          const fresh = await pairSession(relay.wsUrl);
          fresh.tech.sendJson({ type: 'input', seq: 0, event: { kind: 'pointer-move', x: 1, y: 1 } });
          expect((await fresh.client.next('input')).event).toEqual({ kind: 'pointer-move', x: 1, y: 1 });
          fresh.client.close();
          fresh.tech.close();
        } finally {
          run.close();
          await relay.close();
        }
      }),
      { numRuns: 200, interruptAfterTimeLimit: 40_000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    process.stderr.write(`fuzz: ${seen.runs} runs, ${seen.actions} actions, ${seen.pairings} pairings, ${seen.inputsDelivered} inputs delivered\n`);
    // The sequences did reach live sessions, where the invariants matter.
    expect(seen.pairings).toBeGreaterThan(0);
    expect(seen.inputsDelivered).toBeGreaterThan(0);
    // Bounded memory over all the runs (each run's relay is closed at its end).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  }, 120_000);
});
