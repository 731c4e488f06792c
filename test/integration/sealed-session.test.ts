import { webcrypto } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  CloseCode, decodeBase64Url, encodeFrame, encodeFrameAck, Errors, FrameFlag, ImageFormat, SEALED_OVERHEAD, SEALING_VERSION,
  type FrameHeader,
} from '../../protocol';
import { RecordChannel, recordNonce } from '../../common/e2e/record-layer';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { createRelay, type Relay } from '../../relay/server';
import { legacyCall, legacyRefusal, ROOMY_ADDRESS_LIMITS, startTestRelay } from '../support/relay-harness';
import { agreeThroughRelay, AgreementFailed, helloSealed, pairSealed } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';

/**
 * The relay's side of end-to-end encryption (PROTOCOL.md §12), with real sockets and the
 * real key agreement and record layer in raw protocol-2 peers: what it passes, in which
 * order, what it refuses, and what a failed verification costs.
 */
function header(seq: number, flags: number = FrameFlag.FULL | FrameFlag.LAST): FrameHeader {
  return {
    flags, seq, captureTimeMs: 1_700_000_000_000 + seq, displayId: 0, format: ImageFormat.JPEG, rectIndex: 0,
    x: 0, y: 0, width: 64, height: 64, screenWidth: 1920, screenHeight: 1080,
  };
}
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

describe('sealed sessions through the relay', () => {
  let relay: Relay;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    await relay.close();
  });

  test('two version-2 peers get the same binding, agree through the relay, and are asked about without a name', async () => {
    const pair = await agreeThroughRelay(relay.wsUrl);
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 1, paired: 0 });
    await pair.tech.send({ type: 'introduce', name: 'Juan (CompuEasys)' });
    const ask = await pair.client.peer.until('consent-request');
    expect(ask.technicianName).toBe(''); // the name comes sealed
    await pair.tech.peer.until('waiting-consent');
    expect(await pair.client.receive()).toEqual({ type: 'introduce', name: 'Juan (CompuEasys)' });
    pair.client.peer.sendJson({ type: 'consent', granted: true, viewOnly: false });
    await pair.client.peer.until('paired');
    await pair.tech.peer.until('paired');
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('sealed input, screen info, frames and acknowledgements pass through as sent, and open on the other side', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    const sentInput = await tech.send({ type: 'input', seq: 0, event: { kind: 'text', text: 'Útil: año, cigüeña' } });
    const received = await client.peer.until('sealed');
    expect(received).toEqual(sentInput);
    expect(await client.opener.openText(received)).toEqual({ ok: true, message: { type: 'input', seq: 0, event: { kind: 'text', text: 'Útil: año, cigüeña' } } });

    await client.send({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true }], streaming: 0 });
    expect(await tech.receive()).toEqual(expect.objectContaining({ type: 'screen-info' }));

    const sealedFrame = await client.sendBinary(encodeFrame(header(5), JPEG));
    const forwarded = await tech.peer.nextSealedBinary();
    expect(Buffer.compare(forwarded, Buffer.from(sealedFrame))).toBe(0);
    const opened = await tech.opener.openBinary(forwarded);
    expect(opened.ok && opened.message.kind === 'frame' && Buffer.from(opened.message.image).equals(Buffer.from(JPEG))).toBe(true);

    const sealedAck = await tech.sendBinary(encodeFrameAck(5, 1_700_000_000_005));
    expect(Buffer.compare(await client.peer.nextSealedBinary(), Buffer.from(sealedAck))).toBe(0);
  });

  test('the relay says it routes the pointer to peers of version 2 only', async () => {
    const v2 = await WsTestPeer.connect(relay.wsUrl);
    v2.sendJson({ type: 'hello', version: SEALING_VERSION, role: 'client' });
    expect((await v2.next('welcome')).features).toEqual(['cursor', 'displays', 'chat', 'clipboard', 'recording', 'scaled-frames', 'resume', 'files']);
    const v1 = await WsTestPeer.connect(relay.wsUrl);
    v1.sendJson({ type: 'hello', version: 1, role: 'client' });
    expect((await v1.next('welcome')).features).toBeUndefined();
    v2.close();
    v1.close();
  });

  test('the customer\'s pointer passes sealed from the client only; from the technician, or bare, the relay refuses it', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    const rgba = 'AAAA______8AAAAAAAAAgA'; // 2 × 2
    const shape = { type: 'cursor-shape', id: 41, width: 2, height: 2, hotX: 0, hotY: 0, rgba } as const;
    await client.send(shape);
    expect(await tech.receive()).toEqual(shape);
    await client.send({ type: 'cursor-pos', x: 812, y: 433, visible: true, shape: 41 });
    expect(await tech.receive()).toEqual({ type: 'cursor-pos', x: 812, y: 433, visible: true, shape: 41 });

    // The wrong peer: a technician cannot say where the customer's pointer is.
    await tech.send({ type: 'cursor-pos', x: 1, y: 1, visible: true, shape: 41 });
    expect((await tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    await tech.send({ type: 'cursor-shape', id: 1, width: 2, height: 2, hotX: 0, hotY: 0, rgba });
    expect((await tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // Bare, from either side: never (it travels only sealed).
    client.peer.sendJson({ type: 'cursor-pos', x: 1, y: 1, visible: true, shape: 41 });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    tech.peer.sendJson({ type: 'cursor-pos', x: 1, y: 1, visible: true, shape: 41 });
    expect((await tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // None of it reached the customer's side: the next thing it gets is the technician's input.
    await tech.send({ type: 'refresh', reason: 'requested' });
    const next = await client.peer.until('sealed');
    expect(next.inner).toBe('refresh');
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('a choice of display passes sealed from the technician only; from the customer\'s side, or bare, the relay refuses it', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    await tech.send({ type: 'select-display', id: 2 });
    expect(await client.receive()).toEqual({ type: 'select-display', id: 2 });
    // The wrong peer: the customer's side streams what it chooses, it does not ask.
    await client.send({ type: 'select-display', id: 1 });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // Bare, from either side: never (it travels only sealed).
    tech.peer.sendJson({ type: 'select-display', id: 1 });
    expect((await tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    client.peer.sendJson({ type: 'select-display', id: 1 });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    await tech.send({ type: 'refresh', reason: 'requested' });
    expect((await client.peer.until('sealed')).inner).toBe('refresh');
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('chat passes sealed both ways, exactly; bare from either side, the relay refuses it', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    const phrase = '¿Reinicio el equipo? Sí, ahora 👍';
    await tech.send({ type: 'chat', text: phrase });
    expect(await client.receive()).toEqual({ type: 'chat', text: phrase });
    await client.send({ type: 'chat', text: `${phrase}\n${'ñ'.repeat(3000)}` });
    expect(await tech.receive()).toEqual({ type: 'chat', text: `${phrase}\n${'ñ'.repeat(3000)}` });
    tech.peer.sendJson({ type: 'chat', text: 'in clear' });
    expect((await tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    client.peer.sendJson({ type: 'chat', text: 'in clear' });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    expect(relay.hub.counts()).toEqual({ waiting: 0, agreeing: 0, pendingConsent: 0, paired: 1 });
  });

  test('a wrong secret digit: the client reports it, the technician is turned away (4013) and the customer gets a new code', async () => {
    let failure: AgreementFailed | undefined;
    try {
      await agreeThroughRelay(relay.wsUrl, { typedCode: (whole) => `${whole.slice(0, 8)}${whole[8] === '0' ? '1' : '0'}` });
    } catch (e) {
      failure = e as AgreementFailed;
    }
    expect(failure).toBeInstanceOf(AgreementFailed);
    const { client, tech } = failure!;
    client.sendJson({ type: 'e2e-failed', reason: 'mismatch' });
    const techError = await tech.until('error');
    expect(techError.code).toBe(Errors.E2E_FAILED.code);
    expect((await tech.closed).code).toBe(CloseCode.E2E_FAILED);
    expect((await client.until('error')).code).toBe(Errors.E2E_FAILED.code);
    const fresh = await client.next('code');
    expect(fresh.code).not.toBe(failure!.routingCode);
    expect(relay.hub.counts()).toEqual({ waiting: 1, agreeing: 0, pendingConsent: 0, paired: 0 });
  });

  test('a technician that stalls in the agreement is sent away when its time runs out', async () => {
    await relay.close();
    relay = await startTestRelay({ agreementTimeoutMs: 50 });
    const client = await helloSealed(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: '' });
    const { code } = await client.next('code');
    const tech = await helloSealed(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: '' });
    await tech.next('e2e-start');
    expect((await tech.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await tech.closed).code).toBe(CloseCode.E2E_FAILED);
    await client.until('code');
  });

  test('sealed and plain do not mix: each kind of session refuses the other\'s messages', async () => {
    const sealed = await pairSealed(relay.wsUrl);
    sealed.tech.peer.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 1, y: 1 } });
    expect((await sealed.tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    sealed.client.peer.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, width: 8, height: 8, primary: true }], streaming: 0 });
    expect((await sealed.client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // A plain frame in a sealed session is malformed: the relay routes sealed frames only.
    sealed.client.peer.sendRaw(encodeFrame(header(1), JPEG));
    expect((await sealed.client.peer.until('error')).code).toBe(Errors.PROTO_MALFORMED.code);
    expect((await sealed.client.peer.closed).code).toBe(CloseCode.PROTOCOL_ERROR);

    const plainClient = await WsTestPeer.hello(relay.wsUrl, 'client');
    plainClient.sendJson({ type: 'register', name: 'PC' });
    const { code } = await plainClient.next('code');
    const plainTech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    plainTech.sendJson({ type: 'join', code, name: 'T' });
    await plainClient.next('consent-request');
    plainClient.sendJson({ type: 'consent', granted: true, viewOnly: false });
    await plainTech.until('paired');
    plainTech.sendJson({ type: 'sealed', inner: 'input', n: 0, box: 'AAECAwQFBgcICQoLDA0ODxA' });
    expect((await plainTech.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    plainTech.sendJson({ type: 'e2e-failed', reason: 'tampered' });
    expect((await plainTech.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    const sealedLooking = encodeFrameAck(1, 2);
    const withSeal = new Uint8Array(sealedLooking.length + SEALED_OVERHEAD);
    withSeal.set(sealedLooking);
    withSeal[1] = FrameFlag.SEALED;
    plainTech.sendRaw(withSeal);
    expect((await plainTech.until('error')).code).toBe(Errors.PROTO_MALFORMED.code);
  });

  test('the agreement passes in its order, each step once; anything else is refused and goes nowhere', async () => {
    const client = await helloSealed(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: '' });
    const { code } = await client.next('code');
    const tech = await helloSealed(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: '' });
    await Promise.all([client.next('e2e-start'), tech.next('e2e-start')]);
    const share = { type: 'e2e-share', share: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' };
    const confirm = { type: 'e2e-confirm', mac: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' };
    // The client may not share first, nobody may confirm before both shared.
    client.sendJson(share);
    expect((await client.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    tech.sendJson(confirm);
    expect((await tech.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    tech.sendJson(share);
    expect(await client.next('e2e-share')).toEqual(share);
    tech.sendJson(share); // a second share
    expect((await tech.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // An introduction before its sender confirmed, and input before pairing, are refused too.
    tech.sendJson({ type: 'sealed', inner: 'introduce', n: 0, box: 'AAECAwQFBgcICQoLDA0ODxA' });
    expect((await tech.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    tech.sendJson({ type: 'sealed', inner: 'input', n: 0, box: 'AAECAwQFBgcICQoLDA0ODxA' });
    expect((await tech.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    client.sendJson({ type: 'consent', granted: true, viewOnly: false });
    expect((await client.next('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    // Nothing refused reached the other side.
    expect(tech.pending).toBe(0);
    expect(client.pending).toBe(0);
  });

  test('an introduction goes once per side; sealed input in a view-only session is refused like plain input', async () => {
    const pair = await agreeThroughRelay(relay.wsUrl);
    await pair.tech.send({ type: 'introduce', name: 'Juan' });
    await pair.tech.send({ type: 'introduce', name: 'Someone else' });
    expect((await pair.tech.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);
    await pair.client.peer.until('consent-request');
    expect(await pair.client.receive()).toEqual({ type: 'introduce', name: 'Juan' });
    expect(pair.client.peer.pending).toBe(0);
    pair.client.peer.sendJson({ type: 'consent', granted: true, viewOnly: true });
    await pair.tech.peer.until('paired');
    await pair.tech.send({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 1, y: 1 } });
    expect((await pair.tech.peer.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
  });

  test('a side that finds a sealed message tampered ends the paired session for both', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    client.peer.sendJson({ type: 'e2e-failed', reason: 'tampered' });
    expect((await client.peer.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await tech.peer.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await tech.peer.closed).code).toBe(CloseCode.E2E_FAILED);
    expect((await client.peer.closed).code).toBe(CloseCode.E2E_FAILED);
  });

  test('the relay cannot read what it forwards: its own key opens nothing', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    const sealed = await tech.send({ type: 'input', seq: 0, event: { kind: 'text', text: 'secreto' } });
    // What the relay holds: the binding, both shares and both tags, all public. A key made
    // of them, or of nothing, opens nothing.
    const relayGuess = await webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto)(new Uint8Array(32));
    const box = decodeBase64Url(sealed.box)!;
    expect(await relayGuess.open(recordNonce(RecordChannel.TEXT, sealed.n), new TextEncoder().encode('input'), box)).toBeUndefined();
    expect(await client.opener.openText(await client.peer.until('sealed'))).toEqual(expect.objectContaining({ ok: true }));
  });
});

describe('peers of different versions', () => {
  let relay: Relay;
  afterEach(async () => {
    await relay.close();
  });

  test('a version-2 client with a version-1 technician is asked in clear, with the name the relay saw', async () => {
    relay = await startTestRelay();
    const client = await helloSealed(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: '' });
    const { code } = await client.next('code');
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'Old App' });
    const ask = await client.next('consent-request'); // no e2e-start: this session cannot be sealed
    expect(ask.technicianName).toBe('Old App');
    await tech.next('waiting-consent');
  });

  test('a version-2 technician with a version-1 client, and with a legacy polling client, is paired in clear', async () => {
    relay = await startTestRelay();
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'OLD-PC' });
    const { code } = await client.next('code');
    const tech = await helloSealed(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: '' });
    await tech.next('waiting-consent');

    const legacy = await legacyCall(relay.url, 'register_client', { client_id: 'OLD-PYTHON', access_code: '135790' });
    expect(legacy.status).toBe(200);
    const tech2 = await helloSealed(relay.wsUrl, 'technician');
    tech2.sendJson({ type: 'join', code: '135790', name: '' });
    const paired = await tech2.next('paired');
    expect(paired.peer.legacy).toBe(true);
  });

  test('--require-e2e refuses protocol-1 peers and the legacy API, and pairs version-2 peers', async () => {
    relay = await startTestRelay({ requireE2e: true });
    const old = await WsTestPeer.connect(relay.wsUrl);
    old.sendJson({ type: 'hello', version: 1, role: 'client' });
    expect((await old.next('error')).code).toBe(Errors.E2E_REQUIRED.code);
    expect((await old.closed).code).toBe(CloseCode.E2E_REQUIRED);
    const legacy = await legacyCall(relay.url, 'register_client', { client_id: 'OLD', access_code: '246801' });
    expect(legacy).toEqual(legacyRefusal(403, Errors.E2E_REQUIRED.code));
    const legacyTech = await legacyCall(relay.url, 'connect_technician', { access_code: '246801', technician_name: 'x' });
    expect(legacyTech).toEqual(legacyRefusal(403, Errors.E2E_REQUIRED.code));
    const { client } = await pairSealed(relay.wsUrl);
    expect(client.peer.ws.readyState).toBe(1);
    const welcome = await WsTestPeer.connect(relay.wsUrl);
    welcome.sendJson({ type: 'hello', version: SEALING_VERSION, role: 'technician' });
    expect((await welcome.next('welcome')).version).toBe(SEALING_VERSION);
  });
});

describe('a recording, as the relay sees it', () => {
  let relay: Relay;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS }, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await relay.close();
  });

  test('the relay passes the technician\'s notices sealed, logs when a recording started and stopped (nothing more), and refuses them from the customer\'s side', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    await tech.send({ type: 'recording-started' });
    expect(await client.receive()).toEqual({ type: 'recording-started' });
    await tech.send({ type: 'recording-stopped' });
    expect(await client.receive()).toEqual({ type: 'recording-stopped' });
    await client.send({ type: 'recording-started' });
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_UNEXPECTED.code);

    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = log.filter((l) => l.msg === 'the technician started recording the session');
    const stopped = log.filter((l) => l.msg === 'the technician stopped recording the session');
    expect(started).toHaveLength(1);
    expect(stopped).toHaveLength(1);
    expect(typeof started[0]!.sessionId).toBe('string');
    expect(stopped[0]!.sessionId).toBe(started[0]!.sessionId);
    expect(Object.keys(started[0]!).sort()).toEqual(['hostname', 'level', 'msg', 'pid', 'sessionId', 'time'].sort());
  });
});
