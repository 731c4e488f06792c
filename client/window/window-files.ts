import type { FileUpdate } from '../contract/ui-events';
import type { CustomerFiles } from '../files/customer-files';

type Question =
  | { readonly kind: 'offer'; readonly update: FileUpdate; readonly answer: (yes: boolean) => void }
  | { readonly kind: 'pick'; readonly update: FileUpdate; readonly answer: (path: string | undefined) => void };

/** Most questions open at once: one per transfer the session allows, with room; more are answered no. */
const MAX_OPEN_QUESTIONS = 8;

/**
 * The window's side of file transfer: the technician's offers and requests become
 * questions the page shows (numbered here), the page's answers come back as commands, and
 * progress and ends are passed on. A question that no longer stands (the technician
 * cancelled, the session ended) is closed on the page. Nothing is sent unless the customer
 * picked it in the window's file dialog.
 */
export class WindowFiles implements CustomerFiles {
  private readonly open = new Map<number, Question>();
  private lastQuestion = 0;

  constructor(
    readonly downloadsFolder: string,
    readonly maxFileBytes: number,
    private readonly publish: (update: FileUpdate) => void,
  ) {}

  confirmReceive(offer: { readonly name: string; readonly size: number }, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const question = ++this.lastQuestion;
      this.ask(question, { kind: 'offer', update: { kind: 'offer', question, name: offer.name, size: offer.size }, answer: resolve }, signal, () => resolve(false));
    });
  }

  pickFile(signal: AbortSignal): Promise<string | undefined> {
    return new Promise((resolve) => {
      const question = ++this.lastQuestion;
      this.ask(question, { kind: 'pick', update: { kind: 'pick', question }, answer: resolve }, signal, () => resolve(undefined));
    });
  }

  onProgress: CustomerFiles['onProgress'] = (info) => {
    const p = info.progress;
    this.publish({
      kind: 'progress', id: info.id, direction: info.direction, name: info.name, bytes: p.bytes, total: p.total, bytesPerSecond: p.bytesPerSecond,
      ...(p.secondsLeft === undefined ? {} : { secondsLeft: p.secondsLeft }),
    });
  };

  onFinished: CustomerFiles['onFinished'] = (info, outcome) => {
    this.publish({ kind: 'finished', id: info.id, direction: info.direction, name: info.name, outcome });
  };

  /** The customer answered an offer. */
  answer(question: number, accept: boolean): void {
    const q = this.take(question);
    if (q?.kind === 'offer') q.answer(accept);
  }

  /** The customer picked a file (or none) for a request. */
  pick(question: number, path: string | undefined): void {
    const q = this.take(question);
    if (q?.kind === 'pick') q.answer(path);
  }

  /** A page that just loaded: the questions still open. */
  replay(): void {
    for (const q of this.open.values()) this.publish(q.update);
  }

  private ask(question: number, q: Question, signal: AbortSignal, no: () => void): void {
    if (this.open.size >= MAX_OPEN_QUESTIONS) return no();
    this.open.set(question, q);
    signal.addEventListener('abort', () => {
      if (this.take(question) === undefined) return;
      no();
    }, { once: true });
    this.publish(q.update);
  }

  private take(question: number): Question | undefined {
    const q = this.open.get(question);
    if (q === undefined) return undefined;
    this.open.delete(question);
    this.publish({ kind: 'closed', question });
    return q;
  }
}
