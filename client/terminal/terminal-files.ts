import type { Writable } from 'node:stream';
import { formatBytes, formatProgress } from '../../common/files/format-transfer';
import type { Language } from '../../common/language';
import type { CustomerFiles } from '../files/customer-files';
import type { Messages } from '../i18n/messages';
import { printableForTerminal } from './terminal-text';

/** A question waiting for the customer's command, by transfer number. */
type Pending =
  | { readonly kind: 'offer'; readonly answer: (yes: boolean) => void }
  | { readonly kind: 'request'; readonly answer: (path: string | undefined) => void };

/** How often a transfer's progress line is printed at most (a terminal is not a progress bar). */
const PROGRESS_EVERY_MS = 2000;

/**
 * Files in the terminal agent: the technician's offer and request are printed with their
 * number, and the customer answers with a command line (`/aceptar 3`, `/rechazar 3`,
 * `/enviar 4 /home/ana/informe.pdf`, or the English `/accept`, `/decline`, `/send`), read
 * from the same input as the chat, which never sends a line that is a command. Progress is
 * printed every few seconds and when a transfer ends.
 */
export interface TerminalFiles extends CustomerFiles {
  /** A line the customer typed: true when it was a file command (handled here, not chatted). */
  command(line: string): boolean;
  /** How `/cancelar <n>` stops transfer n (the session's cancelFile), once the session exists. */
  bindCancel(cancel: (id: number) => boolean): void;
}

export function terminalFiles(options: {
  readonly output: Writable;
  readonly t: Messages;
  readonly language: Language;
  readonly downloadsFolder: string;
  readonly maxFileBytes: number;
  readonly technicianName: () => string;
  readonly now?: () => number;
}): TerminalFiles {
  const { output, t, language } = options;
  const now = options.now ?? Date.now;
  const pending = new Map<number, Pending>();
  const lastPrinted = new Map<number, number>();
  let nextQuestion = 1;
  let cancel: ((id: number) => boolean) | undefined;
  const ask = (id: number, question: Pending, signal: AbortSignal): void => {
    pending.set(id, question);
    signal.addEventListener('abort', () => {
      if (pending.get(id) !== question) return;
      pending.delete(id);
      if (question.kind === 'offer') question.answer(false);
      else question.answer(undefined);
    }, { once: true });
  };
  return {
    downloadsFolder: options.downloadsFolder,
    maxFileBytes: options.maxFileBytes,
    confirmReceive(offer, signal) {
      // The agent's transfer number is not known here; questions are numbered in the order asked.
      const id = nextQuestion++;
      output.write(`${t.fileOffered(printableForTerminal(options.technicianName()), printableForTerminal(offer.name), formatBytes(offer.size, language), id)}\n`);
      return new Promise<boolean>((resolve) => ask(id, { kind: 'offer', answer: resolve }, signal));
    },
    pickFile(signal) {
      const id = nextQuestion++;
      output.write(`${t.fileRequested(printableForTerminal(options.technicianName()), id)}\n`);
      return new Promise<string | undefined>((resolve) => ask(id, { kind: 'request', answer: resolve }, signal));
    },
    onProgress(info) {
      if (info.progress.bytes === 0 || info.progress.bytes === info.progress.total) return;
      const last = lastPrinted.get(info.id) ?? 0;
      if (now() - last < PROGRESS_EVERY_MS) return;
      lastPrinted.set(info.id, now());
      output.write(`${t.fileProgress(printableForTerminal(info.name), formatProgress(info.progress, language), info.id)}\n`);
    },
    onFinished(info, outcome) {
      lastPrinted.delete(info.id);
      if (info.name !== '') output.write(`${t.fileDone(printableForTerminal(info.name), t.fileOutcomes[outcome] ?? outcome)}\n`);
    },
    bindCancel(next) {
      cancel = next;
    },
    command(line) {
      const stop = /^\/(cancelar|cancel)\s+(\d+)\s*$/iu.exec(line.trim());
      if (stop !== null) {
        if (cancel?.(Number(stop[2])) !== true) output.write(`${t.fileNoSuchTransfer}\n`);
        return true;
      }
      const match = /^\/(aceptar|accept|rechazar|decline|enviar|send)\s+(\d+)\s*(.*)$/iu.exec(line.trim());
      // Anything else is the customer's to chat, even a line that starts with a slash.
      if (match === null) return false;
      const verb = match[1]!.toLowerCase();
      const id = Number(match[2]);
      const question = pending.get(id);
      const wantsPath = verb === 'enviar' || verb === 'send';
      const accepts = verb === 'aceptar' || verb === 'accept';
      if (question === undefined || (question.kind === 'offer' && wantsPath) || (question.kind === 'request' && accepts)) {
        output.write(`${t.fileNoSuchTransfer}\n`);
        return true;
      }
      pending.delete(id);
      if (question.kind === 'offer') question.answer(accepts);
      else question.answer(wantsPath && match[3]!.trim() !== '' ? match[3]!.trim() : undefined);
      return true;
    },
  };
}
