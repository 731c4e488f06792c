import type { ScaleMode } from '../core/input/coordinate-mapping';
import { SPECIAL_COMBOS, type SpecialCombo } from '../core/input/special-keys';
import type { QualitySetting } from '../core/session/technician-session';
import { byId } from './dom';
import { parseQuality } from './preferences';

/** What the toolbar asks the panel to do. */
export interface ToolbarActions {
  setScale(mode: ScaleMode): void;
  toggleFullscreen(): void;
  sendCombo(combo: SpecialCombo): void;
  sendText(text: string): void;
  setQuality(quality: QualitySetting): void;
  disconnect(): void;
}

function isCombo(value: string | undefined): value is SpecialCombo {
  return value !== undefined && value in SPECIAL_COMBOS;
}

/**
 * The session's tool bar: scale, full screen, the special-keys menu, the send-text box,
 * quality and Disconnect. Input controls carry the `input-control` class and are disabled
 * together in a view-only session.
 */
export class SessionToolbar {
  private readonly root = byId('session-view');
  private readonly fit = byId<HTMLButtonElement>('scale-fit');
  private readonly one = byId<HTMLButtonElement>('scale-one');
  private readonly fullscreen = byId<HTMLButtonElement>('fullscreen-button');
  private readonly keysToggle = byId<HTMLButtonElement>('keys-toggle');
  private readonly keysPanel = byId('keys-panel');
  private readonly textToggle = byId<HTMLButtonElement>('text-toggle');
  private readonly textPanel = byId('text-panel');
  private readonly textInput = byId<HTMLTextAreaElement>('send-text-input');
  private readonly textSend = byId<HTMLButtonElement>('send-text-button');
  private readonly quality = byId<HTMLSelectElement>('quality-select');
  private readonly disconnectButton = byId<HTMLButtonElement>('disconnect-button');

  constructor(private readonly actions: ToolbarActions) {
    this.fit.addEventListener('click', () => actions.setScale('fit'));
    this.one.addEventListener('click', () => actions.setScale('one-to-one'));
    this.fullscreen.addEventListener('click', () => actions.toggleFullscreen());
    this.keysToggle.addEventListener('click', () => this.toggleMenu(this.keysToggle, this.keysPanel));
    this.textToggle.addEventListener('click', () => {
      this.toggleMenu(this.textToggle, this.textPanel);
      if (!this.textPanel.hidden) this.textInput.focus();
    });
    this.keysPanel.addEventListener('click', this.onComboClick);
    this.textSend.addEventListener('click', this.onSendText);
    this.textInput.addEventListener('keydown', this.onTextKey);
    this.quality.addEventListener('change', () => actions.setQuality(parseQuality(this.quality.value)));
    this.disconnectButton.addEventListener('click', () => actions.disconnect());
    document.addEventListener('pointerdown', this.onDocumentPointerDown);
    document.addEventListener('keydown', this.onDocumentKey);
  }

  showScale(mode: ScaleMode): void {
    this.fit.setAttribute('aria-pressed', String(mode === 'fit'));
    this.one.setAttribute('aria-pressed', String(mode === 'one-to-one'));
  }

  showQuality(quality: QualitySetting): void {
    this.quality.value = quality.mode === 'auto' ? 'auto' : String(quality.value);
    // A saved value that is not one of the options shows as Automatic; keep them in step.
    if (this.quality.value === '') this.quality.value = 'auto';
  }

  /** The full-screen button is an icon: its words are its accessible name and tooltip. */
  showFullscreen(label: string): void {
    this.fullscreen.setAttribute('aria-label', label);
    this.fullscreen.title = label;
  }

  /** Disables every input control (view-only), visibly and for assistive technology. */
  setInputAllowed(allowed: boolean): void {
    for (const el of this.root.querySelectorAll<HTMLButtonElement | HTMLTextAreaElement>('.input-control')) {
      el.disabled = !allowed;
    }
    if (!allowed) this.closeMenus();
  }

  closeMenus(): void {
    this.setMenu(this.keysToggle, this.keysPanel, false);
    this.setMenu(this.textToggle, this.textPanel, false);
  }

  private toggleMenu(toggle: HTMLButtonElement, panel: HTMLElement): void {
    const open = panel.hidden;
    this.closeMenus();
    this.setMenu(toggle, panel, open);
  }

  private setMenu(toggle: HTMLButtonElement, panel: HTMLElement, open: boolean): void {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  }

  private readonly onComboClick = (e: MouseEvent): void => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-combo]');
    const combo = button?.dataset.combo;
    if (!isCombo(combo) || button?.disabled) return;
    this.closeMenus();
    this.actions.sendCombo(combo);
  };

  private readonly onSendText = (): void => {
    const text = this.textInput.value;
    if (text === '') return;
    this.actions.sendText(text);
    this.textInput.value = '';
    this.closeMenus();
  };

  private readonly onTextKey = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.onSendText();
    }
  };

  private readonly onDocumentPointerDown = (e: PointerEvent): void => {
    const target = e.target as Node;
    if (!this.keysPanel.contains(target) && !this.keysToggle.contains(target)
      && !this.textPanel.contains(target) && !this.textToggle.contains(target)) this.closeMenus();
  };

  private readonly onDocumentKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && (!this.keysPanel.hidden || !this.textPanel.hidden)) this.closeMenus();
  };
}
