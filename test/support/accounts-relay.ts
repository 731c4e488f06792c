import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { AccountService } from '../../relay/accounts/sign-in';
import type { UserRole } from '../../relay/accounts/users';
import { SYSTEM_CLOCK } from '../../relay/clock';
import type { RelayOptions } from '../../relay/options';
import { createRelay, type Relay } from '../../relay/server';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { ROOMY_ADDRESS_LIMITS } from './relay-harness';

/** A real relay on 127.0.0.1, port 0, with technician accounts in a fresh PGlite database. */
export interface AccountsRelay {
  readonly relay: Relay;
  readonly db: Database;
  readonly accounts: AccountService;
  close(): Promise<void>;
}

/** One account to create: user name, the name shown, role and password. */
export type TestUser = readonly [username: string, displayName: string, role: UserRole, password: string];

export async function startAccountsRelay(users: readonly TestUser[], options: Partial<RelayOptions> = {}): Promise<AccountsRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-accounts-'));
  const db = await openDatabase({ dataDir: join(dir, 'db') });
  await migrate(db);
  const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
  for (const [username, displayName, role, password] of users) await accounts.users.add(username, displayName, role, password);
  const relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS, ...options }, logger: pino({ level: 'silent' }), accounts });
  return {
    relay, db, accounts,
    async close() {
      await relay.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the technician page's form (the page is open on the relay). */
export async function signInOnPage(page: Page, username: string, password: string): Promise<void> {
  await page.click('#sign-in-open');
  await page.fill('#sign-in-user', username);
  await page.fill('#sign-in-password', password);
  await page.click('#sign-in-submit');
}
