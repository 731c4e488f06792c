import {
  decodeBase64Url, encodeBase64Url, SEALING_VERSION,
  type E2eConfirmMessage, type E2eFailureReason, type E2eShareMessage, type E2eStartMessage, type Role,
} from '../../protocol';
import { ROUTING_DIGITS } from '../access-code';
import type { AeadFactory } from './aead';
import { ClientAgreement, TechnicianAgreement, type SessionKeys } from './agreement';
import { RecordOpener, RecordSealer } from './record-layer';

/** The key agreement's messages a side receives. */
export type HandshakeMessage = E2eStartMessage | E2eShareMessage | E2eConfirmMessage;

/** What a side sends and receives once both sides verified each other. */
export interface SealedChannel {
  readonly sealer: RecordSealer;
  readonly opener: RecordOpener;
}

/** What to do after a handshake message. */
export type HandshakeStep =
  /** Send these and wait for the next message. */
  | { readonly kind: 'continue'; readonly send: readonly (E2eShareMessage | E2eConfirmMessage)[] }
  /** The other side is verified: send these (a confirmation, for the client), then seal with `channel`. */
  | { readonly kind: 'verified'; readonly send: readonly E2eConfirmMessage[]; readonly channel: SealedChannel }
  /** Stop: tell the relay (`e2e-failed` with this reason), tell the user, send nothing sealed. */
  | { readonly kind: 'failed'; readonly reason: E2eFailureReason };

export interface HandshakeOptions {
  readonly role: Role;
  /** Every digit the customer reads (the client's own code; what the technician typed). */
  readonly code: string;
  readonly randomBytes: (length: number) => Uint8Array;
  /** AES-256-GCM: node:crypto in the agent, WebCrypto in the page. */
  readonly aead: AeadFactory;
}

/**
 * One side's part of the key agreement (PROTOCOL.md §12.2), driven by the messages the
 * relay passes: `e2e-start`, then the other side's share and confirmation. The side
 * seals nothing before it verified the other side (the technician checks Tb, the client
 * Ta), so what it seals can only be opened by someone who knows every digit.
 *
 * Used once per join. Anything out of order, or a second message of a kind, fails it.
 */
export class E2eHandshake {
  private technician: TechnicianAgreement | undefined;
  private client: ClientAgreement | undefined;
  private finished = false;

  constructor(private readonly options: HandshakeOptions) {}

  async receive(message: HandshakeMessage): Promise<HandshakeStep> {
    if (this.finished) return this.fail('mismatch');
    switch (message.type) {
      case 'e2e-start':
        return this.start(message.binding);
      case 'e2e-share':
        return this.share(message.share);
      case 'e2e-confirm':
        return this.confirm(message.mac);
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private start(bindingText: string): HandshakeStep {
    if (this.technician !== undefined || this.client !== undefined) return this.fail('mismatch');
    const binding = decodeBase64Url(bindingText);
    if (binding === undefined) return this.fail('mismatch');
    const { role, code, randomBytes } = this.options;
    // Only the routing digits: the customer's app showed more, which this side does not have.
    if (code.length <= ROUTING_DIGITS) return this.fail('incomplete-code');
    const input = { code, binding, version: SEALING_VERSION, randomBytes };
    if (role === 'client') {
      this.client = new ClientAgreement(input);
      return { kind: 'continue', send: [] };
    }
    this.technician = new TechnicianAgreement(input);
    const ya = this.technician.share();
    if (!ya.ok) return this.fail('mismatch');
    return { kind: 'continue', send: [{ type: 'e2e-share', share: encodeBase64Url(ya.value) }] };
  }

  private share(shareText: string): HandshakeStep {
    const share = decodeBase64Url(shareText);
    if (share === undefined) return this.fail('mismatch');
    if (this.client !== undefined) {
      const yb = this.client.receiveShare(share);
      return yb.ok ? { kind: 'continue', send: [{ type: 'e2e-share', share: encodeBase64Url(yb.value) }] } : this.fail('mismatch');
    }
    if (this.technician !== undefined) {
      const ta = this.technician.receiveShare(share);
      return ta.ok ? { kind: 'continue', send: [{ type: 'e2e-confirm', mac: encodeBase64Url(ta.value) }] } : this.fail('mismatch');
    }
    return this.fail('mismatch');
  }

  private async confirm(macText: string): Promise<HandshakeStep> {
    const mac = decodeBase64Url(macText);
    if (mac === undefined) return this.fail('mismatch');
    if (this.client !== undefined) {
      const confirmed = this.client.receiveConfirm(mac);
      if (!confirmed.ok) return this.fail('mismatch');
      this.finished = true;
      return {
        kind: 'verified',
        send: [{ type: 'e2e-confirm', mac: encodeBase64Url(confirmed.value.confirm) }],
        channel: await this.channel(confirmed.value.keys),
      };
    }
    if (this.technician !== undefined) {
      const keys = this.technician.receiveConfirm(mac);
      if (!keys.ok) return this.fail('mismatch');
      this.finished = true;
      return { kind: 'verified', send: [], channel: await this.channel(keys.value) };
    }
    return this.fail('mismatch');
  }

  private async channel(keys: SessionKeys): Promise<SealedChannel> {
    const own = this.options.role === 'technician' ? keys.technicianToClient : keys.clientToTechnician;
    const other = this.options.role === 'technician' ? keys.clientToTechnician : keys.technicianToClient;
    return { sealer: new RecordSealer(await this.options.aead(own)), opener: new RecordOpener(await this.options.aead(other)) };
  }

  private fail(reason: E2eFailureReason): HandshakeStep {
    this.finished = true;
    return { kind: 'failed', reason };
  }
}
