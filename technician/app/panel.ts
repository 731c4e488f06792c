import { splitTextForEvents, type FrameMessage, type InputEvent } from '../../protocol';
import { CanvasDisplay, decodeRect, type DecodedRect } from '../core/display/canvas-display';
import { CursorOverlay } from '../core/display/cursor-overlay';
import { nextDisplayRefresh, UpdatePipeline } from '../core/display/update-pipeline';
import type { ScaleMode } from '../core/input/coordinate-mapping';
import { DrivingDetector } from '../core/input/driving-detector';
import { KeyboardInput } from '../core/input/keyboard-input';
import { PointerInput } from '../core/input/pointer-input';
import { comboSequence, SPECIAL_COMBOS, type SpecialCombo } from '../core/input/special-keys';
import { isFinalState, SessionStateMachine, type SessionSnapshot } from '../core/session/session-state';
import { TechnicianSession, type QualitySetting } from '../core/session/technician-session';
import { StatsMeter } from '../core/stats/stats-meter';
import { ALLOWED_RELAYS_META } from '../../common/technician-page';
import { allowedRelaysFrom, relayWebSocketUrl } from '../core/transport/relay-url';
import { playChatChime } from './chat-chime';
import { ChatPanel } from './chat-panel';
import { AccountPanel } from './account-panel';
import { WaitingPanel } from './waiting-panel';
import { ClipboardMenu } from './clipboard-menu';
import { FilePanel } from './file-panel';
import { RecordControl } from './record-control';
import { ConnectForm, type ConnectRequest } from './connect-form';
import { DisplayPicker } from './display-picker';
import { byId } from './dom';
import { renderE2eBadge } from './e2e-badge';
import { formatStats } from './format-stats';
import { LANGUAGES, type Language } from '../../common/language';
import { messagesFor, panelLanguage } from './language';
import { formatMessage, type MessageKey, type Messages } from './messages';
import { applyTranslations } from './translate';
import type { Preferences } from './preferences';
import { ScreenView } from './screen-view';
import { SessionToolbar } from './session-toolbar';
import { describeState } from './state-message';
import { StatusBar } from './status-bar';

/** Sent in `hello`, for the relay's diagnostics. */
const APP_NAME = 'CompuEasys Technician 0.1.0';
/** Status bar refresh period, ms. */
const STATS_PERIOD_MS = 500;
/** At most one refresh request this often, ms (a burst of bad frames needs only one). */
const REFRESH_MIN_INTERVAL_MS = 1000;

const COMBO_LABELS: Readonly<Record<SpecialCombo, MessageKey>> = Object.freeze({
  'ctrl-alt-del': 'comboCtrlAltDel', 'alt-tab': 'comboAltTab', win: 'comboWin', 'win-r': 'comboWinR',
  'ctrl-shift-esc': 'comboCtrlShiftEsc', 'alt-f4': 'comboAltF4', 'print-screen': 'comboPrintScreen',
});

/**
 * The technician's page: wires the core (session, display, input, stats) to the DOM and
 * renders every state change of the one {@link SessionStateMachine}. The core never
 * imports anything from here.
 */
export class TechnicianPanel {
  private readonly machine = new SessionStateMachine();
  private session: TechnicianSession | undefined;
  private language: Language;
  private messages: Messages;
  private readonly canvas = byId<HTMLCanvasElement>('remote-screen');
  private readonly display = new CanvasDisplay(this.canvas);
  private readonly stats = new StatsMeter();
  private readonly pipeline: UpdatePipeline<DecodedRect>;
  private readonly pointer: PointerInput;
  private readonly cursor: CursorOverlay;
  private readonly driving: DrivingDetector;
  private readonly keyboard: KeyboardInput;
  private readonly screenView: ScreenView;
  private readonly form: ConnectForm;
  private readonly toolbar: SessionToolbar;
  private readonly displays = new DisplayPicker((id) => this.pickDisplay(id));
  private readonly chat: ChatPanel;
  private readonly clipboard: ClipboardMenu;
  private readonly files: FilePanel;
  private readonly recordControl: RecordControl;
  private readonly account: AccountPanel;
  private readonly waiting: WaitingPanel;
  private readonly statusBar = new StatusBar();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private lastRefreshAt = 0;

  constructor(private readonly prefs: Preferences, browserLanguages: readonly string[]) {
    this.language = panelLanguage(prefs.language, browserLanguages);
    this.messages = messagesFor(this.language);
    this.pipeline = new UpdatePipeline(decodeRect, this.display, {
      onUpdateDrawn: this.onUpdateDrawn,
      onDecodeError: () => this.askRefresh(),
    }, nextDisplayRefresh(document, window));
    const send = (event: InputEvent): void => {
      this.session?.sendInput(event);
    };
    const screenSize = (): { width: number; height: number } | undefined =>
      (this.display.hasImage ? { width: this.display.width, height: this.display.height } : undefined);
    this.pointer = new PointerInput({ element: this.canvas, screenSize, send });
    this.cursor = new CursorOverlay({ screen: this.canvas, overlay: byId<HTMLCanvasElement>('remote-cursor'), screenSize });
    this.driving = new DrivingDetector({ element: this.canvas, onChange: (driving) => this.cursor.setDriving(driving) });
    this.keyboard = new KeyboardInput({ element: this.canvas, send });
    this.screenView = new ScreenView(byId('screen-container'), this.canvas, byId('session-view'),
      () => ({ width: this.display.width, height: this.display.height }));
    this.display.onResize((width, height) => {
      this.stats.setScreenSize(width, height);
      byId('screen-placeholder').hidden = true;
      this.screenView.layout();
      this.cursor.render();
    });
    this.form = new ConnectForm(this.messages, this.connect, this.cancel);
    this.chat = new ChatPanel({
      send: (text) => this.session?.sendChat(text) ?? false,
      chime: () => playChatChime(window),
      onToggle: () => this.screenView.layout(),
    }, this.messages);
    const saved = this.prefs;
    this.clipboard = new ClipboardMenu({
      session: () => this.session,
      notice: (key) => this.statusBar.showNotice(this.messages[key]),
      get auto() { return saved.autoClipboard; },
      set auto(on: boolean) { saved.autoClipboard = on; },
    }, navigator.clipboard);
    this.files = new FilePanel({
      session: () => this.session,
      messages: () => this.messages,
      language: () => this.language,
      notice: (text) => this.statusBar.showNotice(text),
    });
    this.waiting = new WaitingPanel({ chime: () => playChatChime(window) }, this.messages);
    this.account = new AccountPanel({
      onAccount: (user) => {
        this.form.setAccountName(user?.displayName, this.prefs.name);
        if (user !== undefined) this.waiting.start();
        else this.waiting.stop();
      },
      notice: (text) => this.statusBar.showNotice(text),
    }, this.messages);
    this.recordControl = new RecordControl({
      session: () => this.session,
      sources: { screen: this.canvas, drawPointer: (target, scale, dx, dy) => this.cursor.drawInto(target, scale, dx, dy) },
      messages: () => this.messages,
      notice: (key) => this.statusBar.showNotice(this.messages[key]),
    });
    this.toolbar = new SessionToolbar({
      setScale: this.setScale,
      toggleFullscreen: () => void this.screenView.toggleFullscreen(),
      sendCombo: this.sendCombo,
      sendText: this.sendText,
      setQuality: this.setQuality,
      disconnect: this.cancel,
    });
  }

  /** Shows the page in its first state and starts listening. */
  start(): void {
    for (const lang of LANGUAGES) byId(`lang-${lang}`).addEventListener('click', () => this.setLanguage(lang));
    document.addEventListener('fullscreenchange', this.renderFullscreenLabel);
    window.addEventListener('beforeunload', this.onBeforeUnload);
    window.addEventListener('pagehide', this.onPageHide);
    this.machine.subscribe(this.onStateChange);
    this.form.setName(this.prefs.name);
    this.toolbar.showQuality(this.prefs.quality);
    this.screenView.setMode(this.prefs.scale);
    this.toolbar.showScale(this.prefs.scale);
    this.applyLanguage();
    this.form.focusFirstEmpty();
    void this.account.start();
  }

  // ---- language ------------------------------------------------------------------

  private setLanguage(language: Language): void {
    this.prefs.language = language;
    this.language = language;
    this.messages = messagesFor(language);
    this.applyLanguage();
  }

  private applyLanguage(): void {
    document.documentElement.lang = this.language;
    document.title = this.messages.pageTitle;
    applyTranslations(document, this.messages);
    for (const lang of LANGUAGES) byId(`lang-${lang}`).setAttribute('aria-pressed', String(lang === this.language));
    this.form.setMessages(this.messages);
    this.displays.relabel(this.messages);
    this.chat.setMessages(this.messages);
    this.recordControl.relabel();
    this.account.setMessages(this.messages);
    this.waiting.setMessages(this.messages);
    this.renderState(this.machine.snapshot);
    this.renderFullscreenLabel();
    this.renderStats();
  }

  // ---- connecting ----------------------------------------------------------------

  private readonly connect = (request: ConnectRequest): void => {
    if (this.session !== undefined && !isFinalState(this.machine.state)) return;
    this.prefs.name = request.name;
    let url: string;
    const allowed = allowedRelaysFrom(document.querySelector(`meta[name="${ALLOWED_RELAYS_META}"]`)?.getAttribute('content'));
    try {
      url = relayWebSocketUrl(window.location, allowed);
    } catch {
      // A malformed ?relay= override: the relay that served this page is the sensible default.
      url = relayWebSocketUrl({ protocol: window.location.protocol, host: window.location.host });
    }
    this.session = new TechnicianSession({ url, code: request.code, name: request.name, app: APP_NAME, files: this.files.transferHost, drawsDeflatedRgb: true }, {
      onFrame: this.onFrame,
      onScreenInfo: (info) => this.displays.show(info, this.messages),
      onChat: (text) => this.chat.received(text),
      onClipboard: (message) => void this.clipboard.received(message),
      onInputRefused: () => this.statusBar.showNotice(this.messages.noticeInputRefused),
      onBadFrame: () => this.askRefresh(),
      onCursorShape: (image) => this.cursor.addShape(image),
      onCursorPos: (position) => this.cursor.setPosition(position),
      onCursorRefused: (detail) => console.warn(`customer's cursor: ${detail}`),
    }, this.machine);
    this.session.start();
  };

  /** Cancel while connecting, or Disconnect while connected: both say bye. */
  private readonly cancel = (): void => {
    this.session?.disconnect();
  };

  // ---- state ---------------------------------------------------------------------

  private readonly onStateChange = (next: SessionSnapshot, previous: SessionSnapshot): void => {
    if (next.state === 'connected' && previous.state !== 'connected') this.enterSession(next);
    if (next.state !== 'connected' && previous.state === 'connected') this.leaveSession();
    this.renderState(next);
    const busy = next.state === 'connecting' || next.state === 'waiting-consent'
      || (next.state === 'connection-lost' && next.retryInMs !== undefined);
    if (!busy && next.state !== 'connected' && next.state !== 'idle') this.form.afterOutcome(next);
    if (next.state === 'idle' && previous.state !== 'idle') this.form.focusFirstEmpty();
  };

  private renderState(s: SessionSnapshot): void {
    document.body.dataset.state = s.state;
    const connected = s.state === 'connected';
    byId('connect-view').hidden = connected;
    byId('session-view').hidden = !connected;
    const busy = s.state === 'connecting' || s.state === 'waiting-consent' || (s.state === 'connection-lost' && s.retryInMs !== undefined);
    this.form.setBusy(busy);
    this.account.setBusy(busy || connected);

    const panel = byId('state-panel');
    const message = describeState(s);
    panel.hidden = message === undefined;
    if (message !== undefined) {
      panel.dataset.tone = message.tone;
      byId('state-title').textContent = formatMessage(this.messages[message.title], message.params);
      byId('state-detail').textContent = message.detail === undefined ? '' : formatMessage(this.messages[message.detail], message.params);
    }
    // While the customer is asked, the technician already knows whether the relay can read the session.
    renderE2eBadge(byId('state-e2e'), s.state === 'waiting-consent' ? s.encrypted : undefined, this.messages);
    if (s.state === 'connected') {
      byId('peer-name').textContent = s.peerName;
      byId('control-badge').textContent = s.viewOnly ? this.messages.badgeViewOnly : this.messages.badgeControl;
      renderE2eBadge(byId('e2e-badge'), s.encrypted, this.messages);
      // A side dropped and the session waits for it: the screen stays, input is kept for its return.
      const reconnecting = byId('reconnecting-badge');
      reconnecting.hidden = s.reconnecting === undefined;
      reconnecting.textContent = s.reconnecting === 'customer' ? this.messages.sessionReconnectingCustomer
        : s.reconnecting === 'technician' ? this.messages.sessionReconnectingTechnician : '';
    }
  }

  private enterSession(s: Extract<SessionSnapshot, { state: 'connected' }>): void {
    this.pipeline.reset();
    this.display.clear();
    this.stats.reset();
    this.statusBar.clear();
    byId('screen-placeholder').hidden = false;
    document.body.classList.toggle('view-only', s.viewOnly);
    byId('view-only-banner').hidden = !s.viewOnly;
    this.toolbar.setInputAllowed(!s.viewOnly);
    this.pointer.setEnabled(!s.viewOnly);
    this.keyboard.setEnabled(!s.viewOnly);
    this.cursor.reset();
    this.chat.reset(this.session?.canChat ?? false, s.peerName);
    this.clipboard.reset(this.session?.canUseClipboard ?? false);
    this.files.reset(this.session?.canTransferFiles ?? false);
    this.recordControl.reset(this.session?.canRecord ?? false);
    // View-only: the technician never drives, the customer's pointer always shows.
    this.driving.setEnabled(!s.viewOnly);
    const quality = this.prefs.quality;
    if (quality.mode === 'fixed') this.session?.setQuality(quality);
    this.screenView.layout();
    this.statsTimer = setInterval(this.renderStats, STATS_PERIOD_MS);
    this.canvas.focus({ preventScroll: true });
  }

  private leaveSession(): void {
    this.pointer.setEnabled(false);
    this.driving.setEnabled(false);
    this.cursor.reset();
    this.keyboard.setEnabled(false);
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    this.pipeline.reset();
    this.display.clear();
    this.toolbar.closeMenus();
    this.displays.show(undefined, this.messages);
    this.chat.reset(false, '');
    this.clipboard.reset(false);
    this.files.reset(false);
    this.recordControl.reset(false);
    this.screenView.exitFullscreen();
    document.body.classList.remove('view-only');
  }

  // ---- frames --------------------------------------------------------------------

  private readonly onFrame = (frame: FrameMessage, messageBytes: number): void => {
    this.stats.recordBytes(messageBytes, Date.now());
    this.pipeline.push(frame);
  };

  private readonly onUpdateDrawn = (seq: number, captureTimeMs: number): void => {
    this.session?.acknowledge(seq, captureTimeMs);
    this.stats.recordUpdate(captureTimeMs, Date.now());
  };

  private askRefresh(): void {
    const now = Date.now();
    if (now - this.lastRefreshAt < REFRESH_MIN_INTERVAL_MS) return;
    this.lastRefreshAt = now;
    this.session?.requestRefresh();
  }

  private readonly renderStats = (): void => {
    if (this.machine.state !== 'connected') return;
    const texts = formatStats(this.stats.snapshot(Date.now()), this.prefs.quality, this.language, this.messages.qualityAuto);
    this.statusBar.render(texts);
  };

  // ---- toolbar actions -----------------------------------------------------------

  private readonly setScale = (mode: ScaleMode): void => {
    this.prefs.scale = mode;
    this.screenView.setMode(mode);
    this.cursor.render();
    this.toolbar.showScale(mode);
    this.canvas.focus({ preventScroll: true });
  };

  private readonly sendCombo = (combo: SpecialCombo): void => {
    if (this.session?.canSendInput !== true) return;
    for (const event of comboSequence(SPECIAL_COMBOS[combo])) this.session.sendInput(event);
    this.statusBar.showNotice(formatMessage(this.messages.noticeKeysSent, { combo: this.messages[COMBO_LABELS[combo]] }));
    this.canvas.focus({ preventScroll: true });
  };

  private readonly sendText = (text: string): void => {
    if (this.session?.canSendInput !== true) return;
    for (const piece of splitTextForEvents(text)) this.session.sendInput({ kind: 'text', text: piece });
    this.statusBar.showNotice(this.messages.noticeTextSent);
    this.canvas.focus({ preventScroll: true });
  };

  private readonly setQuality = (quality: QualitySetting): void => {
    this.prefs.quality = quality;
    this.session?.setQuality(quality);
    this.renderStats();
    this.canvas.focus({ preventScroll: true });
  };

  /** Another monitor: its picture replaces this one with the next full update. */
  private pickDisplay(id: number): void {
    this.session?.selectDisplay(id);
    this.canvas.focus({ preventScroll: true });
  }

  private readonly renderFullscreenLabel = (): void => {
    this.toolbar.showFullscreen(this.screenView.isFullscreen ? this.messages.exitFullscreen : this.messages.fullscreen);
  };

  // ---- page lifecycle ------------------------------------------------------------

  private readonly onBeforeUnload = (e: BeforeUnloadEvent): void => {
    // Ctrl+W cannot be intercepted outside full screen; at least ask before it ends the session.
    if (this.machine.state !== 'connected') return;
    e.preventDefault();
    e.returnValue = this.messages.leaveWarning;
  };

  private readonly onPageHide = (): void => {
    // Say bye so the customer is told at once instead of after the heartbeat timeout.
    this.session?.disconnect();
  };
}
