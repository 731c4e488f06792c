import { randomBytes } from 'node:crypto';
import { CloseCode, encodeBase64Url, Errors, PeerFeature, type ControlMessage } from '../../protocol';
import type { Relay } from '../../relay/server';
import { RELAY_FEATURES } from '../../relay/peer-message-rules';
import { loopbackAddress } from '../support/from-address';
import { eventually, startTestRelay } from '../support/relay-harness';
import { helloSealed, pairSealed, type AgreedPair } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';

/**
 * Resume as the relay sees it (PROTOCOL.md §14), with raw peers of version 2 that said
 * `resume`: a real relay on port 0, real sockets, the real key agreement. What the agent
 * and the page do with it (resending, dropping copies) is in resume-agent.test.ts.
 */
const RESUME = [PeerFeature.RESUME];
const M = { ctrl: false, alt: false, shift: false, meta: false };

/** The newest resume credential a peer was given, from what it received so far. */
function latestToken(peer: WsTestPeer): { token: string; graceMs: number } {
  const tokens = peer.received.flatMap((r) => (r.kind === 'text' && r.message.type === 'resume-token' ? [r.message] : []));
  const last = tokens[tokens.length - 1];
  if (last === undefined) throw new Error('no resume-token received');
  return last;
}

/** The TCP connection under a peer's WebSocket is destroyed: no close frame, as when the network drops. */
function cutConnection(peer: WsTestPeer): void {
  (peer.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
}

async function resumeAs(relay: Relay, role: 'client' | 'technician', token: string, localAddress?: string): Promise<WsTestPeer> {
  const peer = await helloSealed(relay.wsUrl, role, RESUME, localAddress === undefined ? {} : { localAddress });
  peer.sendJson({ type: 'resume', token });
  return peer;
}

/** Leaves in order: a close without `bye` would be a drop, which a resumable session waits for. */
function leave(peer: WsTestPeer): void {
  peer.sendJson({ type: 'bye' });
}

async function refusedWith(peer: WsTestPeer, code: string, closeCode: number): Promise<void> {
  const error = await peer.until('error');
  expect(error.code).toBe(code);
  expect((await peer.closed).code).toBe(closeCode);
}

describe('resume through a real relay', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  async function pairResumable(viewOnly = false): Promise<AgreedPair & { sessionId: string }> {
    return pairSealed(relay.wsUrl, { viewOnly, features: RESUME });
  }

  test('both sides get a credential before paired; a cut client comes back with it: same session, peer-away then peer-back, no consent asked, a new credential', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable(true);
    const clientToken = latestToken(pair.client.peer);
    const techToken = latestToken(pair.tech.peer);
    expect(clientToken.graceMs).toBe(30_000);
    expect(clientToken.token).not.toBe(techToken.token);
    // Before `paired`, on each side.
    const types = pair.client.peer.received.flatMap((r) => (r.kind === 'text' ? [r.message.type] : []));
    expect(types.indexOf('resume-token')).toBeLessThan(types.indexOf('paired'));

    cutConnection(pair.client.peer);
    expect(await pair.tech.peer.next('peer-away')).toEqual({ type: 'peer-away', graceMs: 30_000 });
    expect(relay.hub.counts().paired).toBe(1);

    const back = await resumeAs(relay, 'client', clientToken.token);
    const resumed = await back.next('resumed');
    // View-only stays view-only; the session is the same one.
    expect(resumed).toMatchObject({ sessionId: pair.sessionId, viewOnly: true, peer: { name: '', legacy: false } });
    const fresh = await back.next('resume-token');
    expect(fresh.token).not.toBe(clientToken.token);
    await pair.tech.peer.next('peer-back');
    expect(back.received.some((r) => r.kind === 'text' && r.message.type === 'consent-request')).toBe(false);
    expect(relay.hub.totals().resumes).toBe(1);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^relay_resumes_total 1$/m);

    // The keys stayed at the ends: the client's next record, on its new socket, opens at the technician's.
    back.sendJson(await pair.client.sealer.sealText({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 800, height: 600, primary: true }], streaming: 0 }));
    expect((await pair.tech.receive()).type).toBe('screen-info');
    // And the relay still refuses input in this view-only session, sealed or not.
    await pair.tech.send({ type: 'input', seq: 0, event: { kind: 'key-down', code: 'KeyA', key: 'a', modifiers: M } });
    expect((await pair.tech.peer.next('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    back.close();
    pair.tech.peer.close();
  });

  test('a replayed credential is refused, and so is the one the resume replaced', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    const first = latestToken(pair.client.peer).token;
    cutConnection(pair.client.peer);
    await pair.tech.peer.next('peer-away');
    const back = await resumeAs(relay, 'client', first);
    await back.next('resumed');
    await pair.tech.peer.next('peer-back');

    const replay = await resumeAs(relay, 'client', first);
    await refusedWith(replay, Errors.RESUME_INVALID.code, CloseCode.RESUME_REFUSED);
    // The session and its side are untouched by the attempt.
    expect(back.received.some((r) => r.kind === 'text' && r.message.type === 'error')).toBe(false);
    expect(pair.tech.peer.pending).toBe(0);
    back.close();
    pair.tech.peer.close();
  });

  test('a stolen credential cannot take the other side\'s place, and a random one is a guess that counts like a wrong code', async () => {
    relay = await startTestRelay({ codeAttemptsPerIp: 3 });
    const pair = await pairResumable();
    const clientToken = latestToken(pair.client.peer).token;
    // A technician's socket with the client's credential.
    const wrongRole = await resumeAs(relay, 'technician', clientToken, loopbackAddress(41, 0));
    await refusedWith(wrongRole, Errors.RESUME_INVALID.code, CloseCode.RESUME_REFUSED);
    // Guessing: each wrong credential costs the address a guess; then the address waits.
    const guesser = loopbackAddress(41, 1);
    for (let i = 0; i < 3; i++) {
      const guess = await resumeAs(relay, 'client', encodeBase64Url(new Uint8Array(randomBytes(32))), guesser);
      await refusedWith(guess, Errors.RESUME_INVALID.code, CloseCode.RESUME_REFUSED);
    }
    const blocked = await resumeAs(relay, 'client', encodeBase64Url(new Uint8Array(randomBytes(32))), guesser);
    await refusedWith(blocked, Errors.CODE_ATTEMPTS.code, CloseCode.TOO_MANY_ATTEMPTS);
    // A real side resuming from that same address (one office, a mistyped code or three) still gets its session back.
    const techToken = latestToken(pair.tech.peer).token;
    cutConnection(pair.tech.peer);
    await pair.client.peer.next('peer-away');
    const back = await resumeAs(relay, 'technician', techToken, guesser);
    await back.next('resumed');
    await pair.client.peer.next('peer-back');
    expect(relay.hub.counts().paired).toBe(1);
    leave(pair.client.peer);
    await back.closed;
  });

  test('a credential of a side that is still connected takes its place: the old connection is told it was replaced', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    const back = await resumeAs(relay, 'technician', latestToken(pair.tech.peer).token);
    await back.next('resumed');
    await refusedWith(pair.tech.peer, Errors.RESUME_REPLACED.code, CloseCode.SESSION_ENDED);
    // The client never saw its technician away: it is told it is back, to send again what is unacknowledged.
    await pair.client.peer.next('peer-back');
    back.sendJson(await pair.tech.sealer.sealText({ type: 'refresh', reason: 'requested' }));
    expect((await pair.client.receive()).type).toBe('refresh');
    leave(back);
    await pair.client.peer.closed;
  });

  test('past the grace period the session ends for both with RS_ERR_RESUME_EXPIRED, and a late comer is told the same', async () => {
    relay = await startTestRelay({ resumeGraceMs: 150 });
    const pair = await pairResumable();
    const clientToken = latestToken(pair.client.peer).token;
    expect(latestToken(pair.tech.peer).graceMs).toBe(150);
    cutConnection(pair.client.peer);
    await pair.tech.peer.next('peer-away');
    await refusedWith(pair.tech.peer, Errors.RESUME_EXPIRED.code, CloseCode.SESSION_ENDED);
    expect(relay.hub.counts().paired).toBe(0);
    const late = await resumeAs(relay, 'client', clientToken);
    await refusedWith(late, Errors.RESUME_EXPIRED.code, CloseCode.SESSION_ENDED);
    expect(relay.hub.resumeCredentials.size).toBe(0);
  });

  test('both sides cut: each comes back; the first back waits (peer-away), the second\'s return is the first\'s peer-back', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    const clientToken = latestToken(pair.client.peer).token;
    const techToken = latestToken(pair.tech.peer).token;
    cutConnection(pair.client.peer);
    cutConnection(pair.tech.peer);
    await eventually(() => relay.connections.size === 0, 5000, 'both sockets gone');
    const tech = await resumeAs(relay, 'technician', techToken);
    await tech.next('resumed');
    await tech.next('resume-token');
    await tech.next('peer-away');
    const client = await resumeAs(relay, 'client', clientToken);
    await client.next('resumed');
    await tech.next('peer-back');
    leave(client);
    await tech.closed;
  });

  test('peers that did not say resume (older apps) get no credential, and a drop ends the session as before', async () => {
    relay = await startTestRelay();
    const pair = await pairSealed(relay.wsUrl);
    expect(() => latestToken(pair.client.peer)).toThrow('no resume-token');
    cutConnection(pair.client.peer);
    expect(await pair.tech.peer.next('peer-left')).toEqual({ type: 'peer-left', reason: 'closed' });
    expect((await pair.tech.peer.closed).code).toBe(CloseCode.SESSION_ENDED);
  });

  test('a relay with a grace of 0 does not name resume, gives no credential and ends a dropped session', async () => {
    relay = await startTestRelay({ resumeGraceMs: 0 });
    const peer = await helloSealed(relay.wsUrl, 'client', RESUME);
    const welcome = peer.received.find((r) => r.kind === 'text' && r.message.type === 'welcome');
    expect(welcome?.kind === 'text' && welcome.message.type === 'welcome' ? welcome.message.features : undefined).toEqual(RELAY_FEATURES.filter((f) => f !== PeerFeature.RESUME));
    peer.close();
    const pair = await pairResumable();
    expect(() => latestToken(pair.tech.peer)).toThrow('no resume-token');
    cutConnection(pair.tech.peer);
    await pair.client.peer.until('peer-left');
  });

  test('ack: passed to the other side in a resumable session; refused where the session cannot resume, before pairing and from a peer without a session', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    pair.tech.peer.sendJson({ type: 'ack', n: 3 });
    expect(await pair.client.peer.next('ack')).toEqual({ type: 'ack', n: 3 });
    pair.client.peer.sendJson({ type: 'ack', n: 0 });
    expect(await pair.tech.peer.next('ack')).toEqual({ type: 'ack', n: 0 });

    const old = await pairSealed(relay.wsUrl);
    old.tech.peer.sendJson({ type: 'ack', n: 1 });
    expect((await old.tech.peer.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    expect(old.client.peer.pending).toBe(0);

    const lone = await helloSealed(relay.wsUrl, 'client', RESUME);
    lone.sendJson({ type: 'ack', n: 1 });
    expect((await lone.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // A `resume` once in a session, or with a credential that is not 32 bytes, is refused too.
    pair.client.peer.sendJson({ type: 'resume', token: latestToken(pair.client.peer).token });
    expect((await pair.client.peer.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    lone.sendJson({ type: 'resume', token: 'AAAA' });
    await refusedWith(lone, Errors.PROTO_MALFORMED.code, CloseCode.PROTOCOL_ERROR);
    for (const p of [pair.client.peer, pair.tech.peer, old.client.peer, old.tech.peer]) p.close();
  });

  test('many resume attempts with wrong or spent credentials hold nothing: live credentials stay two per session, every socket is closed', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    const spent = latestToken(pair.client.peer).token;
    const back = await resumeAs(relay, 'client', spent);
    await back.next('resumed');
    const attempts = await Promise.all(Array.from({ length: 40 }, (_, i) => resumeAs(relay, i % 2 === 0 ? 'client' : 'technician', i % 4 === 0 ? spent : encodeBase64Url(new Uint8Array(randomBytes(32))))));
    await Promise.all(attempts.map((a) => a.closed));
    expect(relay.hub.resumeCredentials.size).toBe(2);
    expect(relay.hub.registry.size).toBe(1);
    await eventually(() => relay.connections.size === 2, 5000, 'only the session\'s two sockets left');
    leave(back);
    await pair.tech.peer.closed;
  });

  test('a resumed technician still cannot send what its role may not, and a resumed client may stream at once', async () => {
    relay = await startTestRelay();
    const pair = await pairResumable();
    cutConnection(pair.tech.peer);
    await pair.client.peer.next('peer-away');
    const tech = await resumeAs(relay, 'technician', latestToken(pair.tech.peer).token);
    await tech.next('resumed');
    tech.sendJson({ type: 'register', name: 'x' });
    expect((await tech.next('resume-token')).type).toBe('resume-token');
    expect((await tech.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    const message: ControlMessage = await pair.tech.sealer.sealText({ type: 'quality', mode: 'auto' });
    tech.sendJson(message);
    await pair.client.peer.next('peer-back');
    expect(await pair.client.receive()).toEqual({ type: 'quality', mode: 'auto' });
    leave(tech);
    await pair.client.peer.closed;
  });
});
