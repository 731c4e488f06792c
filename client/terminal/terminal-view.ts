import type { Writable } from 'node:stream';
import { groupAccessCode } from '../../common/access-code';
import type { Messages } from '../i18n/messages';
import type { AgentState } from '../session/session-state';

/** Prints each state the way a person reads it: the code big and spaced, the rest in words. */
export function renderState(state: AgentState, t: Messages, out: Writable): void {
  switch (state.kind) {
    case 'idle':
      return;
    case 'connecting':
      out.write(`${t.connecting}\n`);
      return;
    case 'code': {
      const notice = state.notice === 'unverified' ? `\n${t.noticeUnverified}`
        : state.notice === 'unencrypted-refused' ? `\n${t.noticeUnencryptedRefused}`
          : state.notice === 'reconnected' ? `\n${t.noticeReconnected}` : '';
      out.write(`${notice}\n${t.codeIntro}\n\n        ${groupAccessCode(state.code)}\n\n   ${t.codeExpires(Math.round(state.ttlMs / 60_000))}\n`);
      return;
    }
    case 'consent':
      return; // the consent prompt prints the question
    case 'sharing':
      if (state.technicianReconnecting === true) {
        out.write(`${t.technicianReconnecting}\n`);
        return;
      }
      out.write(`\n${state.viewOnly ? t.sharingViewOnly(state.technicianName) : t.sharingControl(state.technicianName)}\n`
        + `${state.encrypted ? t.sharingEncrypted : t.sharingUnencrypted}\n${t.stopHint}\n`);
      return;
    case 'ended':
      out.write(`\n${state.by === 'technician' ? t.endedByTechnician : state.by === 'customer' ? t.endedByCustomer
        : state.reason === 'e2e-tampered' ? t.endedTampered : t.endedByRelay(state.reason)}\n`);
      return;
    case 'reconnecting':
      out.write(`${state.resuming === true ? t.resuming(Math.ceil(state.inMs / 1000)) : t.reconnecting(Math.ceil(state.inMs / 1000), state.attempt)}\n`);
      return;
    case 'failed':
      out.write(`${t.failed(`${state.code} ${state.message}`)}\n`);
      return;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}
