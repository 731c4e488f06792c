import { byId } from './dom';
import { formatMessage, type Messages } from './messages';

/** The signed-in technician, as the relay says (GET /api/account/me). */
export interface SignedInUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: string;
}

const API = '/api/account/';

/** What the panel around the account area does with a sign-in. */
export interface AccountPanelHost {
  /** Signed in (the name the customer will be shown) or out (undefined). */
  onAccount(user: SignedInUser | undefined): void;
  notice(text: string): void;
}

/**
 * The technician's account on this relay: "Iniciar sesión / Sign in" in the top bar when
 * the relay has accounts, a sign-in form, and once signed in the name, "Cerrar sesión" and
 * "Cerrar sesión en todos los equipos". On a relay without accounts (no database) the area
 * stays hidden and the page works as before. The password goes only to the relay's API,
 * as JSON over the page's own origin; the session is an HttpOnly cookie this code never sees.
 */
export class AccountPanel {
  private readonly area = byId('account-area');
  private readonly nameLabel = byId('account-name');
  private readonly openButton = byId<HTMLButtonElement>('sign-in-open');
  private readonly signOutButton = byId<HTMLButtonElement>('sign-out');
  private readonly everywhereButton = byId<HTMLButtonElement>('sign-out-everywhere');
  private readonly statsLink = byId('stats-link');
  private readonly view = byId('sign-in-view');
  private readonly connectView = byId('connect-view');
  private readonly form = byId<HTMLFormElement>('sign-in-form');
  private readonly user = byId<HTMLInputElement>('sign-in-user');
  private readonly password = byId<HTMLInputElement>('sign-in-password');
  private readonly error = byId('sign-in-error');
  private signedIn: SignedInUser | undefined;

  constructor(private readonly host: AccountPanelHost, private messages: Messages) {
    this.openButton.addEventListener('click', () => this.showForm(true));
    byId('sign-in-cancel').addEventListener('click', () => this.showForm(false));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.signOutButton.addEventListener('click', () => void this.signOut('signout'));
    this.everywhereButton.addEventListener('click', () => void this.signOut('signout-everywhere'));
  }

  /** Asks the relay who is signed in; a relay without accounts answers 404 and the area stays hidden. */
  async start(): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${API}me`, { credentials: 'same-origin' });
    } catch {
      return;
    }
    if (response.status === 404) return;
    this.area.hidden = false;
    this.setUser(response.ok ? ((await response.json()) as { user: SignedInUser }).user : undefined);
  }

  setMessages(messages: Messages): void {
    this.messages = messages;
    this.render();
  }

  /** While a session runs, the account cannot change under it. */
  setBusy(busy: boolean): void {
    for (const button of [this.openButton, this.signOutButton, this.everywhereButton]) button.disabled = busy;
  }

  private showForm(show: boolean): void {
    this.view.hidden = !show;
    this.connectView.hidden = show;
    this.error.hidden = true;
    this.password.value = '';
    if (show) this.user.focus();
  }

  private async submit(): Promise<void> {
    const body = JSON.stringify({ username: this.user.value.trim(), password: this.password.value });
    let response: Response;
    try {
      response = await fetch(`${API}signin`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body });
    } catch {
      this.showError(this.messages.signInUnavailable);
      return;
    }
    this.password.value = '';
    if (response.status === 401) return this.showError(this.messages.signInWrong);
    if (response.status === 429) return this.showError(this.messages.signInBlocked);
    if (!response.ok) return this.showError(this.messages.signInUnavailable);
    this.setUser(((await response.json()) as { user: SignedInUser }).user);
    this.showForm(false);
  }

  private async signOut(route: 'signout' | 'signout-everywhere'): Promise<void> {
    try {
      await fetch(`${API}${route}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' });
    } catch {
      // The cookie may outlive a relay we cannot reach; the page forgets the name all the same.
    }
    this.setUser(undefined);
    if (route === 'signout-everywhere') this.host.notice(this.messages.noticeSignedOutEverywhere);
  }

  private showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
    this.password.focus();
  }

  private setUser(user: SignedInUser | undefined): void {
    this.signedIn = user;
    this.render();
    this.host.onAccount(user);
  }

  private render(): void {
    const user = this.signedIn;
    this.nameLabel.hidden = user === undefined;
    this.nameLabel.textContent = user === undefined ? '' : formatMessage(this.messages.signedInAs, { name: user.displayName });
    this.openButton.hidden = user !== undefined;
    this.signOutButton.hidden = user === undefined;
    this.everywhereButton.hidden = user === undefined;
    // The statistics are an admin's; the relay refuses them to anyone else all the same.
    this.statsLink.hidden = user?.role !== 'admin';
  }
}
