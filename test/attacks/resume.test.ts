import { randomBytes } from 'node:crypto';
import { CloseCode, Errors, PeerFeature, type ControlMessage } from '../../protocol';
import { RecordSealer } from '../../common/e2e/record-layer';
import { nodeAead } from '../../common/node/node-aead';
import type { Relay } from '../../relay/server';
import { loopbackAddress } from '../support/from-address';
import { eventually, startTestRelay } from '../support/relay-harness';
import { helloSealed, pairSealed } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Resume (PROTOCOL.md §14) as an attacker would try it against a real relay: a credential
 * without the keys, floods of the new messages, messages out of order, and sessions left
 * waiting to hold the relay's table.
 */
const RESUME = [PeerFeature.RESUME];

function latestToken(peer: WsTestPeer): string {
  const tokens = peer.received.flatMap((r) => (r.kind === 'text' && r.message.type === 'resume-token' ? [r.message.token] : []));
  if (tokens.length === 0) throw new Error('no resume-token');
  return tokens[tokens.length - 1]!;
}

function cutConnection(peer: WsTestPeer): void {
  (peer.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
}

describe('attack: resume', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('a stolen live credential takes the client\'s seat but not its keys: what it sends does not open at the page, and the session ends for both', async () => {
    relay = await startTestRelay();
    const pair = await pairSealed(relay.wsUrl, { features: RESUME });
    const thief = await helloSealed(relay.wsUrl, 'client', RESUME, { localAddress: loopbackAddress(61, 0) });
    thief.sendJson({ type: 'resume', token: latestToken(pair.client.peer) });
    await thief.next('resumed');
    // The real client is told its seat was taken; the page is told the customer is back.
    expect((await pair.client.peer.until('error')).code).toBe(Errors.RESUME_REPLACED.code);
    await pair.tech.peer.next('peer-back');
    // Its own keys: the record number is the next one, but the tag cannot verify.
    const forged = await new RecordSealer(await nodeAead(new Uint8Array(randomBytes(32)))).sealText({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 1, height: 1, primary: true }], streaming: 0 });
    thief.sendJson({ ...forged, n: pair.tech.opener.expectedText });
    await expect(pair.tech.receive()).rejects.toThrow('tampered');
    // The page says so (as TechnicianSession does), and the relay ends the session for both.
    pair.tech.peer.sendJson({ type: 'e2e-failed', reason: 'tampered' });
    expect((await thief.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await thief.closed).code).toBe(CloseCode.E2E_FAILED);
  });

  test('a flood of acks is stopped by the socket\'s rate limit: that socket and its session end, the relay serves on', async () => {
    relay = await startTestRelay({ maxMessagesPerSecond: 50 });
    const pair = await pairSealed(relay.wsUrl, { features: RESUME });
    for (let i = 0; i < 500; i++) pair.tech.peer.sendJson({ type: 'ack', n: i });
    expect((await pair.tech.peer.until('error')).code).toBe(Errors.LIMIT_RATE.code);
    expect((await pair.tech.peer.closed).code).toBe(CloseCode.RATE_LIMITED);
    // An error is no drop: the session is not kept waiting for the flooder.
    expect(await pair.client.peer.until('peer-left')).toEqual({ type: 'peer-left', reason: 'error' });
    const next = await helloSealed(relay.wsUrl, 'client', RESUME);
    next.sendJson({ type: 'register', name: '' });
    expect((await next.next('code')).code).toMatch(/^[0-9]{6}$/);
    next.close();
  });

  test('resume out of order or oversized: before hello, from a socket already in a session, larger than an unpaired socket may send', async () => {
    relay = await startTestRelay();
    const early = await WsTestPeer.connect(relay.wsUrl);
    early.sendJson({ type: 'resume', token: 'A'.repeat(43) });
    expect((await early.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    early.close();

    const waiting = await helloSealed(relay.wsUrl, 'client', RESUME);
    waiting.sendJson({ type: 'register', name: '' });
    await waiting.next('code');
    waiting.sendJson({ type: 'resume', token: 'A'.repeat(43) });
    expect((await waiting.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    waiting.close();

    const big = await helloSealed(relay.wsUrl, 'technician', RESUME);
    big.sendJson({ type: 'resume', token: 'A'.repeat(43), padding: 'x'.repeat(8 * 1024) } as Record<string, unknown>);
    await big.closed;
    expect(big.received.some((r) => r.kind === 'text' && r.message.type === 'resumed')).toBe(false);
    expect(relay.hub.resumeCredentials.size).toBe(0);
  });

  test('sessions left waiting for a side keep their slot and no more: the table stays bounded, and frees itself after the grace period', async () => {
    relay = await startTestRelay({ maxSessions: 3, resumeGraceMs: 300 });
    const pairs = await Promise.all([0, 1, 2].map(() => pairSealed(relay.wsUrl, { features: RESUME })));
    for (const p of pairs) cutConnection(p.client.peer);
    await Promise.all(pairs.map((p) => p.tech.peer.next('peer-away')));
    expect(relay.hub.registry.size).toBe(3);
    expect(relay.hub.resumeCredentials.size).toBe(6);
    const refused = await helloSealed(relay.wsUrl, 'client', RESUME);
    refused.sendJson({ type: 'register', name: '' });
    expect((await refused.until('error')).code).toBe(Errors.LIMIT_SERVER_FULL.code);
    await Promise.all(pairs.map(async (p) => expect((await p.tech.peer.until('error')).code).toBe(Errors.RESUME_EXPIRED.code)));
    await eventually(() => relay.hub.registry.size === 0, 5000, 'the table to empty');
    expect(relay.hub.resumeCredentials.size).toBe(0);
    const welcome = await helloSealed(relay.wsUrl, 'client', RESUME);
    welcome.sendJson({ type: 'register', name: '' });
    const answer: ControlMessage = await welcome.next();
    expect(answer.type).toBe('code');
    welcome.close();
  });
});
