import type { TechnicianSession } from '../core/session/technician-session';
import { byId } from './dom';
import { formatMessage, type MessageKey, type Messages } from './messages';
import { recordingFileName, SessionRecorder, type RecordingSources } from './session-recorder';

/** How often the button's clock is redrawn while recording, ms. */
const CLOCK_MS = 500;

/** What the control needs from the page around it. */
export interface RecordControlHost {
  session(): TechnicianSession | undefined;
  readonly sources: RecordingSources;
  messages(): Messages;
  notice(key: MessageKey): void;
}

/**
 * The toolbar's "Grabar / Record" button. The customer is told first (sealed
 * `recording-started`, shown in their window for the whole recording), then the page
 * records what it shows; "Detener / Stop", or the end of the session, stops it and saves
 * the WebM as a download. Offered only for a customer who can be told (TechnicianSession.canRecord).
 */
export class RecordControl {
  private readonly button = byId<HTMLButtonElement>('record-button');
  private readonly label = byId('record-label');
  private recorder: SessionRecorder | undefined;
  private startedAt = new Date();
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: RecordControlHost) {
    this.button.addEventListener('click', () => {
      if (this.recorder === undefined) this.start();
      else void this.stop();
    });
  }

  get recording(): boolean {
    return this.recorder !== undefined;
  }

  /** A session began (`available`: the customer can be told) or ended: a recording under way is saved. */
  reset(available: boolean): void {
    if (this.recorder !== undefined) void this.stop();
    this.button.hidden = !available;
    this.render();
  }

  /** The language changed. */
  relabel(): void {
    this.render();
  }

  private start(): void {
    const session = this.host.session();
    if (session === undefined || !session.announceRecording(true)) return;
    const recorder = SessionRecorder.start(this.host.sources, () => {
      this.host.notice('noticeRecordingTooBig');
      void this.stop();
    });
    if (recorder === undefined) {
      session.announceRecording(false);
      this.host.notice('noticeRecordingUnsupported');
      return;
    }
    this.recorder = recorder;
    this.startedAt = new Date();
    this.clock = setInterval(() => this.render(), CLOCK_MS);
    this.render();
  }

  private async stop(): Promise<void> {
    const recorder = this.recorder;
    if (recorder === undefined) return;
    this.recorder = undefined;
    if (this.clock !== undefined) clearInterval(this.clock);
    this.clock = undefined;
    // Told even if the file fails to save: the customer's notice must not outlive the recording.
    this.host.session()?.announceRecording(false);
    this.render();
    const blob = await recorder.stop();
    this.button.dataset.lastRecordingMs = String(Math.round(recorder.elapsedMs));
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = recordingFileName(this.host.messages().recordingFilePrefix, this.startedAt);
    link.click();
    // The download has its own copy once started; the memory goes a minute later.
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    this.host.notice('noticeRecordingSaved');
  }

  private render(): void {
    const t = this.host.messages();
    const recorder = this.recorder;
    this.button.setAttribute('aria-pressed', String(recorder !== undefined));
    this.button.classList.toggle('recording', recorder !== undefined);
    if (recorder === undefined) {
      this.label.textContent = t.record;
      delete this.button.dataset.recordingMs;
      return;
    }
    const seconds = Math.floor(recorder.elapsedMs / 1000);
    const clock = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    this.label.textContent = formatMessage(t.stopRecording, { clock });
    this.button.dataset.recordingMs = String(Math.round(recorder.elapsedMs));
  }
}
