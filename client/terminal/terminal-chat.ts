import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Messages } from '../i18n/messages';
import type { ChatHooks } from '../session/client-session';
import { printableForTerminal } from './terminal-text';

/** The chat in the terminal agent, once the session exists to send through. */
export interface TerminalChat extends ChatHooks {
  /** Where a line the customer typed goes; false when it could not be sent. */
  bind(send: (text: string) => boolean): void;
  close(): void;
}

/**
 * The customer's side of the chat in a terminal: the technician's messages are printed
 * (made safe for the terminal, each line indented under the name), and every line the
 * customer types and ends with Enter while a chat is open is sent.
 *
 * Lines are read from the start, and those typed while no chat is open are dropped: a
 * line typed earlier (the answer to the consent question, which its own prompt reads too)
 * must not reach a technician later.
 */
export function terminalChat(input: Readable, output: Writable, t: Messages, technicianName: () => string,
  command: (line: string) => boolean = () => false): TerminalChat {
  let send: ((text: string) => boolean) | undefined;
  let open = false;
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    // A command (a file answer) is never chat, and is taken even before a chat opens.
    if (command(line) || !open || line.trim() === '') return;
    if (send?.(line) !== true) output.write(`${t.chatNotSent}\n`);
  });
  return {
    bind(next) {
      send = next;
    },
    onAvailable(available) {
      open = available;
      if (available) output.write(`${t.chatOpen}\n`);
    },
    onMessage(text) {
      const body = printableForTerminal(text).split('\n').map((line) => `   ${line}`).join('\n');
      output.write(`${t.chatFromTechnician(printableForTerminal(technicianName()))}\n${body}\n`);
    },
    close: () => lines.close(),
  };
}
