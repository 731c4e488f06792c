import { groupAccessCode } from '../../common/access-code';
import { parseAccessCodeInput } from '../core/session/access-code';
import type { SessionSnapshot } from '../core/session/session-state';
import { byId } from './dom';
import type { MessageKey, Messages } from './messages';

/** What the form hands over when the technician connects. */
export interface ConnectRequest {
  readonly code: string;
  readonly name: string;
}

/**
 * The "connect with code" form: the technician's name and the code the customer reads
 * (six routing digits, then the secret ones: "385 621 947"; six alone from an older app).
 * The code field keeps only digits as they are typed or pasted ("385 621 947" and
 * "385-621-947" work), groups them as the customer's app shows them, and says why anything
 * else was refused.
 */
export class ConnectForm {
  private readonly form = byId<HTMLFormElement>('connect-form');
  private readonly nameInput = byId<HTMLInputElement>('tech-name');
  private readonly codeInput = byId<HTMLInputElement>('access-code');
  private readonly nameError = byId('name-error');
  private readonly codeError = byId('code-error');
  private readonly connectButton = byId<HTMLButtonElement>('connect-button');
  private readonly cancelButton = byId<HTMLButtonElement>('cancel-button');
  private messages: Messages;
  private codeErrorKey: MessageKey | undefined;
  private nameErrorKey: MessageKey | undefined;

  constructor(
    messages: Messages,
    private readonly onConnect: (request: ConnectRequest) => void,
    private readonly onCancel: () => void,
  ) {
    this.messages = messages;
    this.codeInput.addEventListener('input', this.onCodeInput);
    this.nameInput.addEventListener('input', this.onNameInput);
    this.form.addEventListener('submit', this.onSubmit);
    this.cancelButton.addEventListener('click', this.onCancelClick);
  }

  /** Pre-fills the remembered name; the cursor goes where typing is needed next. */
  setName(name: string): void {
    this.nameInput.value = name;
  }

  /**
   * Signed in, the name is the account's and cannot be typed over (it is what the customer
   * is told a verified technician is called); signed out, typing is free again.
   */
  setAccountName(name: string | undefined, remembered: string): void {
    this.nameInput.readOnly = name !== undefined;
    this.nameInput.value = name ?? remembered;
  }

  focusFirstEmpty(): void {
    (this.nameInput.value.trim() === '' ? this.nameInput : this.codeInput).focus();
  }

  /** While connecting or waiting, the fields are locked and Cancel replaces Connect. */
  setBusy(busy: boolean): void {
    this.nameInput.disabled = busy;
    this.codeInput.disabled = busy;
    this.connectButton.hidden = busy;
    this.cancelButton.hidden = !busy;
  }

  /**
   * After an attempt ended: a mistyped code stays to be corrected, a spent one is cleared.
   * A failed verification spent the code too (the customer's app shows a new one), so the
   * field is emptied for the new code; only a page that could not encrypt never joined.
   */
  afterOutcome(outcome: SessionSnapshot): void {
    const { state } = outcome;
    if (state === 'invalid-code') {
      this.codeInput.focus();
      this.codeInput.select();
      return;
    }
    const spent = state === 'ended' || state === 'declined' || state === 'connection-lost'
      || (state === 'verification-failed' && outcome.reason !== 'unavailable');
    if (spent) this.codeInput.value = '';
    this.focusFirstEmpty();
  }

  setMessages(messages: Messages): void {
    this.messages = messages;
    this.showError(this.codeError, this.codeInput, this.codeErrorKey);
    this.showError(this.nameError, this.nameInput, this.nameErrorKey);
  }

  private readonly onCodeInput = (): void => {
    const input = this.codeInput;
    const raw = input.value;
    const parsed = parseAccessCodeInput(raw);
    if (raw !== parsed.display) {
      // Keep the caret after the same digit it followed, not at the end of the field.
      const caret = input.selectionStart ?? raw.length;
      const digitsBefore = parseAccessCodeInput(raw.slice(0, caret)).digits.length;
      const pos = Math.min(parsed.display.length, groupAccessCode(parsed.digits.slice(0, digitsBefore)).length);
      input.value = parsed.display;
      input.setSelectionRange(pos, pos);
    }
    this.codeErrorKey = parsed.refusedCharacters ? 'codeOnlyDigits' : parsed.tooLong ? 'codeTooLong' : undefined;
    this.showError(this.codeError, input, this.codeErrorKey);
  };

  private readonly onNameInput = (): void => {
    if (this.nameErrorKey !== undefined && this.nameInput.value.trim() !== '') {
      this.nameErrorKey = undefined;
      this.showError(this.nameError, this.nameInput, undefined);
    }
  };

  private readonly onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const name = this.nameInput.value.trim();
    const code = parseAccessCodeInput(this.codeInput.value);
    this.nameErrorKey = name === '' ? 'nameRequired' : undefined;
    this.codeErrorKey = code.complete ? undefined : 'codeIncomplete';
    this.showError(this.nameError, this.nameInput, this.nameErrorKey);
    this.showError(this.codeError, this.codeInput, this.codeErrorKey);
    if (this.nameErrorKey !== undefined) {
      this.nameInput.focus();
      return;
    }
    if (this.codeErrorKey !== undefined) {
      this.codeInput.focus();
      return;
    }
    this.onConnect({ code: code.digits, name });
  };

  private readonly onCancelClick = (): void => {
    this.onCancel();
  };

  private showError(el: HTMLElement, input: HTMLInputElement, key: MessageKey | undefined): void {
    el.textContent = key === undefined ? '' : this.messages[key];
    el.hidden = key === undefined;
    input.setAttribute('aria-invalid', key === undefined ? 'false' : 'true');
  }
}
