import { randomBytes, webcrypto } from 'node:crypto';
import { SEALING_VERSION, type Role, type SealedMessage } from '../../protocol';
import { E2eHandshake, type HandshakeStep, type SealedChannel } from '../../common/e2e/handshake';
import type { RecordOpener, RecordSealer, SealableMessage } from '../../common/e2e/record-layer';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { nodeAead } from '../../common/node/node-aead';
import { routingPart } from '../../common/access-code';
import type WebSocket from 'ws';
import { WsTestPeer } from './ws-peer';

/**
 * Raw protocol-2 peers for relay tests: a real WebSocket each, the real handshake
 * (common/e2e/handshake.ts) and the real record layer, driven step by step so a test can
 * stop, skip or break any step. The technician seals with WebCrypto, the client with node:crypto,
 * as the page and the agent do.
 */
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export interface SealedSide {
  readonly peer: WsTestPeer;
  readonly sealer: RecordSealer;
  readonly opener: RecordOpener;
  /** Seals and sends a peer-to-peer message. */
  send(message: SealableMessage): Promise<SealedMessage>;
  /** Seals and sends a FRAME or FRAME_ACK. */
  sendBinary(plain: Uint8Array): Promise<Uint8Array>;
  /** Waits for the next `sealed` message and opens it (throws when it does not open). */
  receive(): Promise<SealableMessage>;
}

/** A peer of version 2 that said hello; `features`: what it says in `hello` it takes (`resume`). */
export async function helloSealed(wsUrl: string, role: Role, features?: readonly string[], options: WebSocket.ClientOptions = {}): Promise<WsTestPeer> {
  if (features === undefined) return WsTestPeer.hello(wsUrl, role, options, SEALING_VERSION);
  const peer = await WsTestPeer.connect(wsUrl, options);
  peer.sendJson({ type: 'hello', version: SEALING_VERSION, role, features });
  await peer.next('welcome');
  return peer;
}

function side(peer: WsTestPeer, { sealer, opener }: SealedChannel): SealedSide {
  return {
    peer, sealer, opener,
    async send(message) {
      const sealed = await sealer.sealText(message);
      peer.sendJson(sealed);
      return sealed;
    },
    async sendBinary(plain) {
      const sealed = await sealer.sealBinary(plain);
      peer.sendRaw(sealed, true);
      return sealed;
    },
    async receive() {
      const sealed = await peer.until('sealed');
      const opened = await opener.openText(sealed);
      if (!opened.ok) throw new Error(`a sealed ${sealed.inner} did not open: ${opened.problem}`);
      return opened.message;
    },
  };
}

export interface AgreedPair {
  readonly client: SealedSide;
  readonly tech: SealedSide;
  /** The six digits the relay gave, and all the digits the customer would read. */
  readonly routingCode: string;
  readonly wholeCode: string;
}

export interface AgreeOptions {
  /** What the technician types (default: the whole code). */
  readonly typedCode?: (wholeCode: string) => string;
  readonly secretDigits?: string;
  /** What both peers say in `hello` they take (`resume`); none by default, as before resume. */
  readonly features?: readonly string[];
}

/** The two sides' handshakes as the agent and the page run them. */
function handshake(role: Role, code: string): E2eHandshake {
  const aead = role === 'technician' ? webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto) : nodeAead;
  return new E2eHandshake({ role, code, randomBytes: random, aead });
}

/** Sends what a step asks to send; throws unless the step is of `kind`. */
function expectStep<K extends HandshakeStep['kind']>(peer: WsTestPeer, step: HandshakeStep, kind: K): Extract<HandshakeStep, { kind: K }> {
  if (step.kind !== kind) throw new Error(`expected the handshake to ${kind}, it ${step.kind === 'failed' ? `failed (${step.reason})` : step.kind}`);
  if (step.kind !== 'failed') for (const message of step.send) peer.sendJson(message);
  return step as Extract<HandshakeStep, { kind: K }>;
}

/**
 * A v2 client registers and a v2 technician joins; both run the agreement through the
 * relay. Resolves when both confirmations verified (the customer is being asked next).
 * When the client refuses the technician's confirmation it throws AgreementFailed, with
 * the client's e2e-failed not yet sent (the test decides).
 */
export async function agreeThroughRelay(wsUrl: string, options: AgreeOptions = {}): Promise<AgreedPair> {
  const clientPeer = await helloSealed(wsUrl, 'client', options.features);
  clientPeer.sendJson({ type: 'register', name: '' });
  const { code: routingCode } = await clientPeer.next('code');
  const wholeCode = routingCode + (options.secretDigits ?? '947');
  const techPeer = await helloSealed(wsUrl, 'technician', options.features);
  techPeer.sendJson({ type: 'join', code: routingCode, name: '' });
  const client = handshake('client', wholeCode);
  const technician = handshake('technician', options.typedCode?.(wholeCode) ?? wholeCode);
  expectStep(clientPeer, await client.receive(await clientPeer.next('e2e-start')), 'continue');
  expectStep(techPeer, await technician.receive(await techPeer.next('e2e-start')), 'continue');
  expectStep(clientPeer, await client.receive(await clientPeer.next('e2e-share')), 'continue');
  expectStep(techPeer, await technician.receive(await techPeer.next('e2e-share')), 'continue');
  const clientStep = await client.receive(await clientPeer.next('e2e-confirm'));
  if (clientStep.kind === 'failed') throw new AgreementFailed(clientPeer, techPeer, routingCode, wholeCode);
  const clientVerified = expectStep(clientPeer, clientStep, 'verified');
  const techVerified = expectStep(techPeer, await technician.receive(await techPeer.next('e2e-confirm')), 'verified');
  return { client: side(clientPeer, clientVerified.channel), tech: side(techPeer, techVerified.channel), routingCode, wholeCode };
}

/** The client refused the technician's confirmation: what a test needs to carry on. */
export class AgreementFailed extends Error {
  constructor(readonly client: WsTestPeer, readonly tech: WsTestPeer, readonly routingCode: string, readonly wholeCode: string) {
    super('the client could not verify the technician');
  }
}

/** Agreement, introductions, the customer's yes: a paired sealed session. */
export async function pairSealed(wsUrl: string, { viewOnly = false, features = undefined as readonly string[] | undefined } = {}): Promise<AgreedPair & { sessionId: string }> {
  const pair = await agreeThroughRelay(wsUrl, features === undefined ? {} : { features });
  await pair.tech.send({ type: 'introduce', name: 'Juan (CompuEasys)' });
  await pair.client.send({ type: 'introduce', name: 'PC-TEST' });
  // The relay asks the customer as it passes the client's confirmation on; the
  // introductions follow their senders' confirmations.
  await pair.tech.peer.until('waiting-consent');
  if ((await pair.tech.receive()).type !== 'introduce') throw new Error('expected the client\'s introduction');
  await pair.client.peer.until('consent-request');
  if ((await pair.client.receive()).type !== 'introduce') throw new Error('expected the technician\'s introduction');
  pair.client.peer.sendJson({ type: 'consent', granted: true, viewOnly });
  const paired = await pair.client.peer.until('paired');
  await pair.tech.peer.until('paired');
  return { ...pair, sessionId: paired.sessionId };
}

/** The technician's side of the agreement refused (or was refused): what a test needs to carry on. */
export class TechnicianNotVerified extends Error {
  constructor(readonly tech: WsTestPeer, readonly why: string) {
    super(`the technician's agreement did not verify: ${why}`);
  }
}

/**
 * The technician's side of the agreement on an open peer (hello and join already sent), as
 * the page runs it: every handshake message answered until the keys verify, then the peer
 * speaks sealed (see WsTestPeer.sealWith). On failure it sends `e2e-failed` as the page does
 * (unless the relay already refused it) and throws TechnicianNotVerified.
 */
export async function agreeAsTechnician(tech: WsTestPeer, typedCode: string): Promise<void> {
  const agreement = handshake('technician', typedCode);
  for (;;) {
    const m = await tech.next();
    if (m.type === 'error') throw new TechnicianNotVerified(tech, `the relay said ${m.code}`);
    if (m.type !== 'e2e-start' && m.type !== 'e2e-share' && m.type !== 'e2e-confirm') throw new TechnicianNotVerified(tech, `unexpected ${m.type}`);
    const step = await agreement.receive(m);
    if (step.kind === 'failed') {
      tech.sendJson({ type: 'e2e-failed', reason: step.reason });
      throw new TechnicianNotVerified(tech, step.reason);
    }
    for (const message of step.send) tech.sendJson(message);
    if (step.kind === 'verified') {
      tech.sealWith(step.channel);
      return;
    }
  }
}

/**
 * A v2 technician, as the page does it, against a real customer (the agent): joins with the
 * routing part of `typedCode`, agrees on keys from all of it, introduces itself sealed, and
 * resolves once the relay put the question to the customer and the customer's sealed
 * introduction arrived. Throws TechnicianNotVerified when the agreement fails.
 */
export async function joinSealed(
  wsUrl: string, typedCode: string, name = 'Juan (CompuEasys)', features?: readonly string[],
): Promise<{ tech: WsTestPeer; customerName: string }> {
  const tech = await helloSealed(wsUrl, 'technician');
  tech.sendJson({ type: 'join', code: routingPart(typedCode), name: '' });
  await agreeAsTechnician(tech, typedCode);
  // Without `features`, as a page from before the cursor (an older page names none).
  tech.sendJson(features === undefined ? { type: 'introduce', name } : { type: 'introduce', name, features });
  await tech.next('waiting-consent');
  const introduction = await tech.next('introduce');
  return { tech, customerName: introduction.name };
}
