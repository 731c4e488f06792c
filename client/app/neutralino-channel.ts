import { CHAT_EVENT, COMMAND_EVENT, FILES_EVENT, NEUTRALINO_EXTENSION_ID, STATE_EVENT, type UiCommand } from '../contract/ui-events';
import type { AgentChannel, ChannelListeners } from './agent-channel';
import type { NeutralinoApi } from './neutralino-api';

/**
 * The native window: the agent runs as the Neutralino extension NEUTRALINO_EXTENSION_ID.
 * Commands go to it with `Neutralino.extensions.dispatch` (the library holds them until
 * the extension has connected); its events arrive through `Neutralino.events.on`.
 */
export class NeutralinoChannel implements AgentChannel {
  readonly kind = 'neutralino';

  constructor(private readonly neutralino: NeutralinoApi, private readonly extensionId = NEUTRALINO_EXTENSION_ID) {}

  start(listeners: ChannelListeners): void {
    // Every agent event the page shows: a Neutralino event reaches only the names listened to.
    for (const event of [STATE_EVENT, CHAT_EVENT, FILES_EVENT]) {
      void this.neutralino.events.on(event, (e) => listeners.onEvent({ event, data: e.detail }));
    }
    // The runtime's socket: lost means the runtime (and with it the agent) is gone.
    void this.neutralino.events.on('serverOffline', () => listeners.onStatus('closed'));
    void this.neutralino.events.on('extClientDisconnect', (e) => {
      if (e.detail === this.extensionId) listeners.onStatus('closed');
    });
    void this.neutralino.events.on('extensionReady', (e) => {
      if (e.detail === this.extensionId) listeners.onStatus('open');
    });
    listeners.onStatus('open');
  }

  send(command: UiCommand): void {
    this.neutralino.extensions.dispatch(this.extensionId, COMMAND_EVENT, command).catch(() => undefined);
  }
}
