import type { FileDeclineReason } from '../../protocol';
import { nobleSha256 } from '../../common/e2e/sha256-hasher';
import type { FileSink, FileSource } from '../../common/files/file-io';
import type { TransferHost, TransferInfo, TransferOutcome } from '../../common/files/file-transfers';
import { formatBytes, formatProgress } from '../../common/files/format-transfer';
import type { Language } from '../../common/language';
import type { TechnicianSession } from '../core/session/technician-session';
import { byId } from './dom';
import { formatMessage, type Messages } from './messages';

/** What the panel needs from the page around it. */
export interface FilePanelHost {
  session(): TechnicianSession | undefined;
  messages(): Messages;
  language(): Language;
  notice(text: string): void;
}

/** A file the technician chose (button or drop), read a slice at a time: never all of it in memory. */
export function browserFileSource(file: File): FileSource {
  return {
    name: file.name,
    size: file.size,
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
    close: async () => undefined,
  };
}

/**
 * A file the customer sent, kept as a Blob's parts (the browser may keep them on disk) and
 * saved with a download once its SHA-256 matched: the browser's own rules make the name safe
 * and put it in the technician's Downloads.
 */
class DownloadSink implements FileSink {
  private parts: Uint8Array[] = [];

  constructor(private readonly name: string) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.parts.push(bytes);
  }

  async commit(): Promise<string> {
    const blob = new Blob(this.parts as BlobPart[], { type: 'application/octet-stream' });
    this.parts = [];
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = this.name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once it started; a minute is far more than it needs.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return this.name;
  }

  async discard(): Promise<void> {
    this.parts = [];
  }
}

const OUTCOME_KEYS: Record<TransferOutcome, keyof Messages> = {
  saved: 'fileSaved',
  sent: 'fileSent',
  declined: 'fileDeclined',
  cancelled: 'fileCancelled',
  'cancelled-by-peer': 'fileCancelledByPeer',
  corrupt: 'fileCorrupt',
  failed: 'fileFailed',
  refused: 'fileFailed',
  ended: 'fileCancelled',
};

const DECLINE_KEYS: Record<FileDeclineReason, keyof Messages> = {
  declined: 'fileDeclined',
  'too-large': 'fileTooLarge',
  busy: 'fileBusy',
  unavailable: 'fileUnavailable',
};

/**
 * The toolbar's Files menu (send files, ask the customer for one), dropping files on the
 * session, and a list with a progress bar, bytes, speed and time left and a cancel button
 * per transfer. Offered only when the customer's app and the relay named `files`.
 */
export class FilePanel {
  private readonly menu = byId('files-menu');
  private readonly toggle = byId<HTMLButtonElement>('files-toggle');
  private readonly panel = byId('files-panel');
  private readonly input = byId<HTMLInputElement>('files-input');
  private readonly list = byId('file-list');
  private readonly dropHint = byId('file-drop-hint');
  private available = false;

  constructor(private readonly host: FilePanelHost) {
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    byId('files-send').addEventListener('click', () => {
      this.setOpen(false);
      this.input.click();
    });
    byId('files-request').addEventListener('click', () => {
      this.setOpen(false);
      const id = this.host.session()?.requestFile();
      if (id === undefined) this.host.notice(this.host.messages().fileBusy);
      else this.showWaiting(id);
    });
    this.input.addEventListener('change', () => {
      this.sendFiles([...(this.input.files ?? [])]);
      this.input.value = '';
    });
    const dropTarget = byId('session-view');
    dropTarget.addEventListener('dragover', (e) => {
      if (!this.available || !e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      this.dropHint.hidden = false;
    });
    dropTarget.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null || !dropTarget.contains(e.relatedTarget as Node)) this.dropHint.hidden = true;
    });
    dropTarget.addEventListener('drop', (e) => {
      this.dropHint.hidden = true;
      if (!this.available || e.dataTransfer === null) return;
      e.preventDefault();
      this.sendFiles([...e.dataTransfer.files]);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.contains(e.target as Node)) this.setOpen(false);
    });
  }

  /** The page's side of the transfers, for the session: keeps requested files, hashes, shows progress. */
  readonly transferHost: TransferHost = {
    openIncoming: async (offer) => {
      // Only the answer to our own request comes here: the customer chose to send it.
      if (!offer.requested) return 'declined';
      return new DownloadSink(offer.name);
    },
    createHasher: nobleSha256,
    onProgress: (info) => this.render(info),
    onFinished: (info, outcome, detail) => this.finished(info, outcome, detail?.declineReason),
  };

  /** A session began (`available`: it can move files) or ended. */
  reset(available: boolean): void {
    this.available = available;
    this.menu.hidden = !available;
    this.setOpen(false);
    this.dropHint.hidden = true;
    if (!available) this.list.replaceChildren();
    this.list.hidden = this.list.childElementCount === 0;
  }

  /** Offers each file to the customer (too big or too many at once: said, and not sent). */
  sendFiles(files: readonly File[]): void {
    const session = this.host.session();
    if (session === undefined || !this.available) return;
    const m = this.host.messages();
    for (const file of files) {
      if (file.size > session.maxFileBytes) {
        this.host.notice(formatMessage(m.fileTooLargeToSend, { name: file.name, max: formatBytes(session.maxFileBytes, this.host.language()) }));
        continue;
      }
      if (session.sendFile(browserFileSource(file)) === undefined) this.host.notice(m.fileBusy);
    }
  }

  private showWaiting(id: number): void {
    const row = this.row(id);
    row.querySelector('.file-name')!.textContent = this.host.messages().fileWaitingPick;
  }

  private render(info: TransferInfo): void {
    const row = this.row(info.id);
    const m = this.host.messages();
    row.dataset.direction = info.direction;
    row.dataset.percent = String(info.progress.percent);
    row.querySelector('.file-name')!.textContent = `${info.direction === 'send' ? '↑' : '↓'} ${info.name}`;
    const bar = row.querySelector('progress')!;
    bar.value = info.progress.percent;
    const detail = row.querySelector('.file-detail')!;
    detail.textContent = info.progress.bytes === 0 && info.direction === 'send' ? m.fileWaitingAnswer : formatProgress(info.progress, this.host.language());
  }

  private finished(info: TransferInfo, outcome: TransferOutcome, declineReason: FileDeclineReason | undefined): void {
    const row = this.row(info.id);
    if (info.name !== '') this.render(info);
    const m = this.host.messages();
    row.dataset.state = outcome;
    const key = outcome === 'declined' && declineReason !== undefined ? DECLINE_KEYS[declineReason] : OUTCOME_KEYS[outcome];
    row.querySelector('.file-detail')!.textContent = m[key];
    row.querySelector('.file-cancel')?.remove();
    this.host.notice(`${info.name || m.files}: ${m[key]}`);
  }

  /** The list row of a transfer, made on first use. */
  private row(id: number): HTMLElement {
    let row = this.list.querySelector<HTMLElement>(`[data-id="${id}"]`);
    if (row === null) {
      row = document.createElement('li');
      row.className = 'file-row';
      row.dataset.id = String(id);
      row.dataset.state = 'running';
      const name = document.createElement('span');
      name.className = 'file-name';
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      const detail = document.createElement('span');
      detail.className = 'file-detail';
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'btn btn-ghost file-cancel';
      cancel.textContent = this.host.messages().fileCancel;
      cancel.addEventListener('click', () => this.host.session()?.cancelFile(id));
      row.append(name, bar, detail, cancel);
      this.list.append(row);
      this.list.hidden = false;
    }
    return row;
  }

  private setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
  }
}
