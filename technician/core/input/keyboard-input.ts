import type { InputEvent } from '../../../protocol';
import { listenTo } from './element-listeners';
import { KeyboardMapper, type KeyboardEventLike } from './key-mapping';

/** Where keys are captured and where the events go. */
export interface KeyboardInputOptions {
  /** The focusable element (the canvas, `tabindex="0"`) whose keys go to the customer. */
  readonly element: HTMLElement;
  readonly send: (event: InputEvent) => void;
}

function toLike(e: KeyboardEvent): KeyboardEventLike {
  return {
    type: e.type === 'keyup' ? 'keyup' : 'keydown',
    code: e.code,
    key: e.key,
    ctrlKey: e.ctrlKey,
    altKey: e.altKey,
    shiftKey: e.shiftKey,
    metaKey: e.metaKey,
    altGraph: e.getModifierState('AltGraph'),
    isComposing: e.isComposing,
  };
}

/**
 * Sends the keys typed while the remote screen has focus. Their default actions are
 * cancelled, so Tab, Backspace, F5, Ctrl+S, Ctrl+R … act on the customer's machine, not
 * on this page. The browser never hands some shortcuts to a page (Ctrl+W, Ctrl+T, Ctrl+N
 * outside keyboard-locked full screen; Ctrl+Alt+Del and Alt+Tab never): the UI offers
 * those from a menu.
 */
export class KeyboardInput {
  private enabled = false;
  private readonly mapper = new KeyboardMapper();
  private readonly stopListening: () => void;

  constructor(private readonly options: KeyboardInputOptions) {
    this.stopListening = listenTo(options.element, { keydown: this.onKey, keyup: this.onKey, blur: this.onBlur });
  }

  setEnabled(enabled: boolean): void {
    if (!enabled) this.releaseAll();
    this.enabled = enabled;
  }

  /** Lifts every key still held on the remote side (no stuck Ctrl after an Alt+Tab here). */
  releaseAll(): void {
    const events = this.mapper.releaseAll();
    if (this.enabled) for (const event of events) this.options.send(event);
  }

  dispose(): void {
    this.setEnabled(false);
    this.stopListening();
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (!this.enabled) return;
    // Leave dead keys and IME composition to the browser, so the composed character forms.
    if (e.key !== 'Dead' && !e.isComposing) e.preventDefault();
    for (const event of this.mapper.map(toLike(e))) this.options.send(event);
  };

  private readonly onBlur = (): void => {
    this.releaseAll();
  };
}
