import { randomBytes, webcrypto } from 'node:crypto';
import { decodeBase64Url, encodeBase64Url, SEALING_VERSION, type Role, type SealedMessage } from '../../protocol';
import { ClientAgreement, TechnicianAgreement, type SessionKeys } from '../../common/e2e/agreement';
import { RecordOpener, RecordSealer, type SealableMessage } from '../../common/e2e/record-layer';
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { nodeAead } from '../../common/node/node-aead';
import { WsTestPeer } from './ws-peer';

/**
 * Raw protocol-2 peers for relay tests: a real WebSocket each, the real key agreement
 * (common/e2e) and the real record layer, driven step by step so a test can stop, skip
 * or break any step. The technician seals with WebCrypto, the client with node:crypto,
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

export async function helloSealed(wsUrl: string, role: Role): Promise<WsTestPeer> {
  return WsTestPeer.hello(wsUrl, role, {}, SEALING_VERSION);
}

async function side(peer: WsTestPeer, role: Role, keys: SessionKeys): Promise<SealedSide> {
  const mine = role === 'technician' ? keys.technicianToClient : keys.clientToTechnician;
  const theirs = role === 'technician' ? keys.clientToTechnician : keys.technicianToClient;
  const make = role === 'technician' ? webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto) : nodeAead;
  const sealer = new RecordSealer(await make(mine));
  const opener = new RecordOpener(await make(theirs));
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
}

/**
 * A v2 client registers and a v2 technician joins; both run the agreement through the
 * relay. Resolves when both confirmations verified (the customer is being asked next).
 */
export async function agreeThroughRelay(wsUrl: string, options: AgreeOptions = {}): Promise<AgreedPair> {
  const clientPeer = await helloSealed(wsUrl, 'client');
  clientPeer.sendJson({ type: 'register', name: '' });
  const { code: routingCode } = await clientPeer.next('code');
  const wholeCode = routingCode + (options.secretDigits ?? '947');
  const techPeer = await helloSealed(wsUrl, 'technician');
  techPeer.sendJson({ type: 'join', code: routingCode, name: '' });
  const [clientStart, techStart] = await Promise.all([clientPeer.next('e2e-start'), techPeer.next('e2e-start')]);
  const typed = options.typedCode?.(wholeCode) ?? wholeCode;
  const technician = new TechnicianAgreement({ code: typed, binding: decodeBase64Url(techStart.binding)!, version: SEALING_VERSION, randomBytes: random });
  const client = new ClientAgreement({ code: wholeCode, binding: decodeBase64Url(clientStart.binding)!, version: SEALING_VERSION, randomBytes: random });
  const ya = technician.share();
  if (!ya.ok) throw new Error('technician share failed');
  techPeer.sendJson({ type: 'e2e-share', share: encodeBase64Url(ya.value) });
  const yb = client.receiveShare(decodeBase64Url((await clientPeer.next('e2e-share')).share)!);
  if (!yb.ok) throw new Error('client could not take the share');
  clientPeer.sendJson({ type: 'e2e-share', share: encodeBase64Url(yb.value) });
  const ta = technician.receiveShare(decodeBase64Url((await techPeer.next('e2e-share')).share)!);
  if (!ta.ok) throw new Error('technician could not take the share');
  techPeer.sendJson({ type: 'e2e-confirm', mac: encodeBase64Url(ta.value) });
  const confirmed = client.receiveConfirm(decodeBase64Url((await clientPeer.next('e2e-confirm')).mac)!);
  if (!confirmed.ok) throw new AgreementFailed(clientPeer, techPeer, routingCode, wholeCode);
  clientPeer.sendJson({ type: 'e2e-confirm', mac: encodeBase64Url(confirmed.value.confirm) });
  const keys = technician.receiveConfirm(decodeBase64Url((await techPeer.next('e2e-confirm')).mac)!);
  if (!keys.ok) throw new Error('the technician could not verify the client');
  return {
    client: await side(clientPeer, 'client', confirmed.value.keys),
    tech: await side(techPeer, 'technician', keys.value),
    routingCode, wholeCode,
  };
}

/** The client refused the technician's confirmation: what a test needs to carry on. */
export class AgreementFailed extends Error {
  constructor(readonly client: WsTestPeer, readonly tech: WsTestPeer, readonly routingCode: string, readonly wholeCode: string) {
    super('the client could not verify the technician');
  }
}

/** Agreement, introductions, the customer's yes: a paired sealed session. */
export async function pairSealed(wsUrl: string, { viewOnly = false } = {}): Promise<AgreedPair & { sessionId: string }> {
  const pair = await agreeThroughRelay(wsUrl);
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
