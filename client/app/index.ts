import { pickLanguage, type Language } from '../../common/language';
import { CHAT_EVENT, decodeChatUpdate, decodeFileUpdate, decodeUiState, FILES_EVENT, STATE_EVENT, type UiCommand } from '../contract/ui-events';
import { WindowFiles } from './window-files';
import { playAttentionChime } from './attention-chime';
import type { AgentChannel } from './agent-channel';
import { neutralinoRuntime } from './neutralino-api';
import { NeutralinoChannel } from './neutralino-channel';
import { NeutralinoHost } from './neutralino-host';
import { WebSocketChannel } from './websocket-channel';
import { WindowChat } from './window-chat';
import { windowMessagesFor } from './window-messages';
import { WindowView } from './window-view';

const LANGUAGE_KEY = 'compueasys.window.language';

function savedLanguage(): Language | undefined {
  try {
    const value = window.localStorage.getItem(LANGUAGE_KEY);
    return value === 'es' || value === 'en' ? value : undefined;
  } catch {
    return undefined; // storage blocked
  }
}

function saveLanguage(language: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // not saved: the switch still works for this window
  }
}

/**
 * The customer's window. It shows what the agent reports and sends the customer's
 * choices back, over Neutralino extension events inside the native window, or over the
 * agent's local WebSocket in a browser.
 */
function main(): void {
  let language: Language = savedLanguage() ?? pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
  const neutralino = neutralinoRuntime(window);
  if (neutralino) neutralino.init();
  const channel: AgentChannel = neutralino ? new NeutralinoChannel(neutralino) : WebSocketChannel.besidePage(window.location);
  const send = (command: UiCommand): void => channel.send(command);
  let host: NeutralinoHost | undefined;
  const view = new WindowView(document, windowMessagesFor(language), send, () => {
    language = language === 'es' ? 'en' : 'es';
    saveLanguage(language);
    view.setMessages(windowMessagesFor(language), language);
    chat.setMessages(windowMessagesFor(language));
    host?.setMessages(windowMessagesFor(language));
    files.setMessages(windowMessagesFor(language), language);
  });
  const chat = new WindowChat(document, windowMessagesFor(language), {
    send: (text) => send({ command: 'chat', text }),
    onOpenChange: (open) => host?.setChatOpen(open),
    chime: () => playAttentionChime(window),
  });
  const files = new WindowFiles(document, windowMessagesFor(language), language, send, neutralino);
  if (neutralino) host = new NeutralinoHost(neutralino, windowMessagesFor(language), send, (tray) => view.setTrayAvailable(tray));
  view.setMessages(windowMessagesFor(language), language);
  // Until the runtime says it set the tray icon, assume none (the browser fallback never has one).
  view.setTrayAvailable(false);
  document.body.dataset.channel = channel.kind;

  channel.start({
    onEvent: (envelope) => {
      if (envelope.event === FILES_EVENT) {
        const update = decodeFileUpdate(envelope.data);
        if (update) files.update(update);
        return;
      }
      if (envelope.event === CHAT_EVENT) {
        const update = decodeChatUpdate(envelope.data);
        if (update) chat.update(update);
        return;
      }
      if (envelope.event !== STATE_EVENT) return;
      const state = decodeUiState(envelope.data);
      if (!state) return;
      if (state.kind === 'sharing') chat.setTechnicianName(state.technicianName);
      view.render(state);
      host?.onState(state);
    },
    onStatus: (status) => {
      if (status === 'open') send({ command: 'hello' });
      else view.show('offline');
    },
  });
  host?.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
