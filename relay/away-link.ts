import type { Role } from '../protocol';
import type { PeerLink } from './peer-link';

/**
 * The place of a side that is away in a session this node took over from a node that
 * died (issue 14 item 3): the side's connection was on the dead node, so there is nobody
 * to deliver to until it resumes here. Everything sent to it is dropped, as for any side
 * that is away (PROTOCOL.md §14: the peers resend what was not acknowledged).
 */
export class AwayLink implements PeerLink {
  readonly legacy = false;
  readonly wholeFramesOnly = false;
  readonly seals = true;
  readonly resumes = true;

  constructor(readonly role: Role, readonly name: string) {}

  send(): void {}
  sendFrame(): void {}
  sendAck(): void {}
  end(): void {}
}
