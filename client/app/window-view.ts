import type { CodeNotice, ConsentAnswer } from '../contract/ui-events';
import type { UiCommand, UiState } from '../contract/ui-events';
import { groupAccessCode } from '../../common/access-code';
import { playAttentionChime } from './attention-chime';
import { formatClock, type StaticMessages, type WindowMessages } from './window-messages';

/** Which screen of the window shows: an agent state, or the page's own before/without the agent. */
export type ViewName = UiState['kind'] | 'starting' | 'offline';

/** How often the countdowns and the elapsed time are redrawn, ms. */
const TICK_MS = 250;

function byId<T extends HTMLElement = HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (el === null) throw new Error(`customer window: #${id} is missing`);
  return el as T;
}

/**
 * Draws the window for one state at a time and turns the customer's clicks into
 * commands. Countdowns run on the page's own clock from the durations the agent sent.
 */
export class WindowView {
  private state: UiState | undefined;
  private view: ViewName = 'starting';
  /** performance.now() when the current countdown reaches zero, or when sharing began. */
  private mark = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private t: WindowMessages;

  constructor(
    private readonly doc: Document,
    messages: WindowMessages,
    private readonly onCommand: (command: UiCommand) => void,
    private readonly onLanguageToggle: () => void,
  ) {
    this.t = messages;
    this.bind();
  }

  get currentView(): ViewName {
    return this.view;
  }

  setMessages(messages: WindowMessages, lang: string): void {
    this.t = messages;
    this.doc.documentElement.lang = lang;
    this.doc.title = messages.appName;
    for (const el of this.doc.querySelectorAll<HTMLElement>('[data-i18n]')) {
      const key = el.dataset.i18n as keyof StaticMessages;
      const text = messages[key];
      if (typeof text === 'string') el.textContent = text;
    }
    const toggle = byId(this.doc, 'lang-toggle');
    toggle.textContent = messages.otherLanguage;
    toggle.lang = lang === 'es' ? 'en' : 'es';
    this.draw();
  }

  /**
   * Whether a tray icon offers "stop sharing" (the Neutralino window where the desktop has
   * a tray). Without one (the browser fallback, or no tray host on this desktop) the
   * sharing screen says how to stop.
   */
  setTrayAvailable(available: boolean): void {
    byId(this.doc, 'sharing-no-tray').hidden = available;
  }

  /** The agent's state arrived. */
  render(state: UiState): void {
    this.state = state;
    const now = performance.now();
    switch (state.kind) {
      case 'code':
      case 'consent':
      case 'reconnecting':
        this.mark = now + state.remainingMs;
        break;
      case 'sharing':
        this.mark = now - state.elapsedMs;
        break;
      default:
        break;
    }
    // A new question gets its buttons back (they are disabled once answered), and a chime.
    if (state.kind === 'consent' && this.view !== 'consent') {
      for (const b of this.doc.querySelectorAll<HTMLButtonElement>('[data-answer]')) b.disabled = false;
      if (this.doc.defaultView) playAttentionChime(this.doc.defaultView);
    }
    this.show(state.kind);
  }

  /** The page's own screens: waiting for the agent, or the agent gone. */
  show(view: ViewName): void {
    this.view = view;
    this.doc.body.dataset.state = view;
    for (const section of this.doc.querySelectorAll<HTMLElement>('[data-view]')) section.hidden = section.dataset.view !== view;
    this.draw();
    const ticking = view === 'code' || view === 'consent' || view === 'sharing' || view === 'reconnecting';
    if (ticking && this.timer === undefined) this.timer = setInterval(() => this.tick(), TICK_MS);
    if (!ticking && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private bind(): void {
    const on = (id: string, command: UiCommand): void => {
      byId(this.doc, id).addEventListener('click', () => this.onCommand(command));
    };
    on('connect-button', { command: 'connect' });
    on('connect-again-button', { command: 'connect' });
    on('retry-button', { command: 'connect' });
    on('new-code-button', { command: 'new-code' });
    for (const stop of this.doc.querySelectorAll<HTMLElement>('.stop-command')) {
      stop.addEventListener('click', () => this.onCommand({ command: 'stop' }));
    }
    for (const choice of this.doc.querySelectorAll<HTMLButtonElement>('[data-answer]')) {
      choice.addEventListener('click', () => {
        const answer = choice.dataset.answer as ConsentAnswer;
        // One answer only: the buttons stay disabled until the next question.
        for (const b of this.doc.querySelectorAll<HTMLButtonElement>('[data-answer]')) b.disabled = true;
        this.onCommand({ command: 'consent', answer });
      });
    }
    byId(this.doc, 'lang-toggle').addEventListener('click', () => this.onLanguageToggle());
  }

  /** Redraws the texts of the current state (state change, language change). */
  private draw(): void {
    const s = this.state;
    const t = this.t;
    if (s === undefined || s.kind !== this.view) return;
    switch (s.kind) {
      case 'code': {
        const notice = byId(this.doc, 'code-notice');
        notice.hidden = s.notice === undefined;
        notice.textContent = s.notice === undefined ? '' : codeNoticeText(t, s.notice);
        // The unverified notice is a warning of possible interference, not just information.
        notice.className = `notice ${s.notice === 'unverified' ? 'notice-danger' : 'notice-warn'}`;
        const code = byId(this.doc, 'code-value');
        code.textContent = groupAccessCode(s.code);
        code.setAttribute('aria-label', s.code.split('').join(' '));
        break;
      }
      case 'consent':
        byId(this.doc, 'consent-question').textContent = t.consentQuestion(s.technicianName);
        // Never silent: sealed shows the lock, in clear says what that means before the customer answers.
        byId(this.doc, 'consent-encrypted').hidden = !s.encrypted;
        byId(this.doc, 'consent-verified').hidden = s.verified !== true;
        byId(this.doc, 'consent-not-encrypted').hidden = s.encrypted;
        break;
      case 'sharing': {
        const mode = byId(this.doc, 'sharing-mode');
        mode.textContent = s.viewOnly ? t.modeViewOnly : t.modeControl;
        mode.className = `badge ${s.viewOnly ? 'view-only' : 'control'}`;
        byId(this.doc, 'sharing-text').textContent = s.viewOnly ? t.sharingViewOnly(s.technicianName) : t.sharingControl(s.technicianName);
        byId(this.doc, 'sharing-encrypted').hidden = !s.encrypted;
        // Shown for as long as the technician records: the customer always knows.
        byId(this.doc, 'sharing-recording').hidden = s.recording !== true;
        byId(this.doc, 'sharing-not-encrypted').hidden = s.encrypted;
        const away = byId(this.doc, 'sharing-technician-reconnecting');
        away.hidden = s.technicianReconnecting !== true;
        away.textContent = s.technicianReconnecting === true ? t.technicianReconnecting : '';
        break;
      }
      case 'reconnecting':
        byId(this.doc, 'reconnecting-title').textContent = s.resuming === true ? t.resumingTitle : t.reconnectingTitle;
        break;
      case 'ended':
        byId(this.doc, 'ended-text').textContent = s.by === 'technician' ? t.endedByTechnician
          : s.by === 'customer' ? (s.reason === 'cancelled' ? t.endedCancelled : t.endedByCustomer)
            : s.reason === 'code-expired' ? t.endedCodeExpired
              : s.reason === 'e2e-tampered' ? t.endedTampered : t.endedByRelay;
        byId(this.doc, 'connect-again-button').textContent = s.reason === 'code-expired' ? t.newCode : t.connectAgain;
        break;
      case 'failed':
        byId(this.doc, 'failed-text').textContent = s.message;
        break;
      default:
        break;
    }
    this.tick();
  }

  /** The moving parts: countdowns and the elapsed time. */
  private tick(): void {
    const s = this.state;
    const t = this.t;
    if (s === undefined || s.kind !== this.view) return;
    const now = performance.now();
    const left = Math.max(0, this.mark - now);
    switch (s.kind) {
      case 'code': {
        const expired = left <= 0;
        const countdown = byId(this.doc, 'code-countdown');
        countdown.textContent = expired ? t.codeExpired : t.codeExpiresIn(formatClock(Math.ceil(left / 1000) * 1000));
        countdown.classList.toggle('urgent', expired || left < 60_000);
        byId(this.doc, 'code-value').classList.toggle('expired', expired);
        break;
      }
      case 'consent': {
        const seconds = Math.ceil(left / 1000);
        const countdown = byId(this.doc, 'consent-countdown');
        countdown.textContent = t.consentCountdown(seconds);
        countdown.classList.toggle('urgent', seconds <= 10);
        break;
      }
      case 'sharing':
        byId(this.doc, 'sharing-elapsed').textContent = t.sharingElapsed(formatClock(now - this.mark));
        break;
      case 'reconnecting':
        byId(this.doc, 'reconnecting-text').textContent = s.resuming === true ? t.resuming(Math.ceil(left / 1000)) : t.reconnecting(Math.ceil(left / 1000), s.attempt);
        break;
      default:
        break;
    }
  }
}

/** Why the code shown is a new one, in the customer's words. */
function codeNoticeText(t: WindowMessages, notice: CodeNotice): string {
  switch (notice) {
    case 'denied': return t.noticeDenied;
    case 'unanswered': return t.noticeUnanswered;
    case 'unverified': return t.noticeUnverified;
    case 'unencrypted-refused': return t.noticeUnencryptedRefused;
    case 'reconnected': return t.noticeReconnected;
    default: {
      const unreachable: never = notice;
      return unreachable;
    }
  }
}
