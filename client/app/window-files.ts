import { formatBytes, formatProgress } from '../../common/files/format-transfer';
import type { Language } from '../../common/language';
import type { FileUpdate, UiCommand } from '../contract/ui-events';
import type { NeutralinoApi } from './neutralino-api';
import type { WindowMessages } from './window-messages';

function byId<T extends HTMLElement = HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (el === null) throw new Error(`customer window: #${id} is missing`);
  return el as T;
}

/**
 * Files in the customer's window: the technician's offer (accept or decline; accepted files
 * go to Downloads) and request (the customer picks a file in Neutralino's file dialog, or,
 * in the browser fallback, which cannot hand the agent a path, types its path), and a bar
 * with bytes, speed and time left and a cancel button per transfer. Names go in with
 * `textContent`: shown, never interpreted.
 */
export class WindowFiles {
  private readonly questions: HTMLUListElement;
  private readonly transfers: HTMLUListElement;

  constructor(
    private readonly doc: Document,
    private t: WindowMessages,
    private language: Language,
    private readonly send: (command: UiCommand) => void,
    private readonly neutralino: NeutralinoApi | undefined,
  ) {
    this.questions = byId(doc, 'file-questions');
    this.transfers = byId(doc, 'file-transfers');
  }

  setMessages(t: WindowMessages, language: Language): void {
    this.t = t;
    this.language = language;
  }

  update(u: FileUpdate): void {
    switch (u.kind) {
      case 'offer':
        return this.ask(u.question, [this.t.fileOffer(u.name, formatBytes(u.size, this.language)), this.t.fileOfferWhere], (actions) => {
          actions.append(
            this.button(this.t.fileAccept, 'btn btn-primary file-accept', () => this.send({ command: 'file-answer', question: u.question, accept: true })),
            this.button(this.t.fileDecline, 'btn btn-secondary file-decline', () => this.send({ command: 'file-answer', question: u.question, accept: false })),
          );
        });
      case 'pick':
        return this.ask(u.question, [this.t.filePickQuestion], (actions) => {
          if (this.neutralino !== undefined) {
            const dialog = this.neutralino;
            actions.append(this.button(this.t.filePickButton, 'btn btn-primary file-pick', () => {
              void dialog.os.showOpenDialog(this.t.filePickButton, { multiSelections: false }).then((paths) => {
                if (paths.length > 0) this.send({ command: 'file-pick', question: u.question, path: paths[0]! });
              });
            }));
          } else {
            const path = this.doc.createElement('input');
            path.type = 'text';
            path.className = 'file-path';
            path.setAttribute('aria-label', this.t.filePathLabel);
            path.placeholder = this.t.filePathLabel;
            actions.append(path, this.button(this.t.filePathSend, 'btn btn-primary file-pick', () => {
              if (path.value.trim() !== '') this.send({ command: 'file-pick', question: u.question, path: path.value.trim() });
            }));
          }
          actions.append(this.button(this.t.filePickNone, 'btn btn-secondary file-pick-none', () => this.send({ command: 'file-pick', question: u.question })));
        });
      case 'closed':
        this.questions.querySelector(`[data-question="${u.question}"]`)?.remove();
        return;
      case 'progress': {
        const row = this.row(u.id);
        row.querySelector('.file-name')!.textContent = `${u.direction === 'send' ? '↑' : '↓'} ${u.name}`;
        const percent = u.total === 0 ? 100 : Math.floor((u.bytes * 100) / u.total);
        row.dataset.percent = String(percent);
        row.querySelector('progress')!.value = percent;
        row.querySelector('.file-detail')!.textContent = formatProgress({
          bytes: u.bytes, total: u.total, percent, bytesPerSecond: u.bytesPerSecond, secondsLeft: u.secondsLeft,
        }, this.language);
        return;
      }
      case 'finished': {
        const row = this.row(u.id);
        if (u.name !== '') row.querySelector('.file-name')!.textContent = `${u.direction === 'send' ? '↑' : '↓'} ${u.name}`;
        row.dataset.state = u.outcome;
        row.querySelector('.file-detail')!.textContent = this.t.fileOutcomes[u.outcome] ?? u.outcome;
        row.querySelector('.file-cancel')?.remove();
        return;
      }
      default: {
        const unreachable: never = u;
        return unreachable;
      }
    }
  }

  private ask(question: number, lines: readonly string[], fill: (actions: HTMLElement) => void): void {
    if (this.questions.querySelector(`[data-question="${question}"]`) !== null) return; // a replay
    const item = this.doc.createElement('li');
    item.className = 'file-question';
    item.dataset.question = String(question);
    item.setAttribute('role', 'alert');
    for (const line of lines) {
      const p = this.doc.createElement('p');
      p.textContent = line;
      item.append(p);
    }
    const actions = this.doc.createElement('div');
    actions.className = 'actions';
    fill(actions);
    item.append(actions);
    this.questions.append(item);
  }

  private row(id: number): HTMLElement {
    let row = this.transfers.querySelector<HTMLElement>(`[data-id="${id}"]`);
    if (row !== null) return row;
    row = this.doc.createElement('li');
    row.className = 'file-transfer';
    row.dataset.id = String(id);
    row.dataset.state = 'running';
    const name = this.doc.createElement('span');
    name.className = 'file-name';
    const bar = this.doc.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    const detail = this.doc.createElement('span');
    detail.className = 'file-detail';
    row.append(name, bar, detail, this.button(this.t.fileCancel, 'btn btn-secondary file-cancel', () => this.send({ command: 'file-cancel', id })));
    this.transfers.append(row);
    return row;
  }

  private button(text: string, className: string, onClick: () => void): HTMLButtonElement {
    const b = this.doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }
}
