import type { Page } from 'playwright-core';
import { PeerFeature } from '../../protocol';
import { routingPart } from '../../common/access-code';
import type { Relay } from '../../relay/server';
import { browserForBlock, describeWithChromium, waitForBodyState } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { eventually, startTestRelay } from '../support/relay-harness';
import { agreeAsTechnician, helloSealed } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';
import { startWindow, type WindowUnderTest } from './window-harness';

/**
 * Resume as the customer sees it (PROTOCOL.md §14): the window served by the real agent,
 * through a real relay, with a technician of this version (it says `resume`). Either
 * side's connection is cut by a TCP proxy; the window says "Reconectando…" and the
 * session goes on, without a new code.
 */
const TECHNICIAN = 'Juan (CompuEasys)';

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** A technician as the page is, that can resume: its hello says so. */
async function joinResumable(wsUrl: string, code: string): Promise<WsTestPeer> {
  const tech = await helloSealed(wsUrl, 'technician', [PeerFeature.RESUME]);
  tech.sendJson({ type: 'join', code: routingPart(code), name: '' });
  await agreeAsTechnician(tech, code);
  tech.sendJson({ type: 'introduce', name: TECHNICIAN });
  await tech.next('waiting-consent');
  await tech.next('introduce');
  return tech;
}

function tokenOf(peer: WsTestPeer): string {
  const tokens = peer.received.flatMap((r) => (r.kind === 'text' && r.message.type === 'resume-token' ? [r.message.token] : []));
  return tokens[tokens.length - 1]!;
}

describeWithChromium('the customer window when a connection drops mid-session (resume)', () => {
  const browser = browserForBlock({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
  let relay: Relay;
  let proxy: CuttableProxy;
  let win: WindowUnderTest;
  let page: Page;
  const techs: WsTestPeer[] = [];

  /** The window's agent reaches the relay through `via` ('proxy': its link can be cut). */
  async function sharing(via: 'proxy' | 'relay'): Promise<WsTestPeer> {
    relay = await startTestRelay();
    proxy = await startCuttableProxy(relay.wsUrl);
    win = await startWindow(via === 'proxy' ? proxy.wsUrl : relay.wsUrl);
    page = await browser().newPage();
    await page.goto(win.server.launchUrl!);
    await waitForBodyState(page, 'idle');
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const tech = await joinResumable(via === 'relay' ? proxy.wsUrl : relay.wsUrl, await shownCode(page));
    techs.push(tech);
    await waitForBodyState(page, 'consent');
    await page.click('#allow-control');
    await tech.until('paired');
    await waitForBodyState(page, 'sharing');
    return tech;
  }

  afterEach(async () => {
    for (const t of techs.splice(0)) t.sendJson({ type: 'bye' });
    await page?.close().catch(() => undefined);
    await win?.close();
    await proxy?.close();
    await relay?.close();
  });

  test('the customer\'s connection drops: the window says Reconectando… and that the session stays open, then shares again with no new code', async () => {
    const tech = await sharing('proxy');
    proxy.refusing = true;
    proxy.cutAll();
    await tech.until('peer-away');
    await waitForBodyState(page, 'reconnecting');
    expect(await text(page, '#reconnecting-title')).toBe('Reconectando…');
    expect(await text(page, '#reconnecting-text')).toMatch(/^Se perdió la conexión\. La sesión sigue abierta: reintentando en \d+ s…$/);
    proxy.refusing = false;
    await tech.until('peer-back', 15_000);
    await waitForBodyState(page, 'sharing');
    expect(await text(page, '#sharing-text')).toBe('Juan (CompuEasys) está viendo y controlando su pantalla');
    // Same session: the agent never went back to showing a code.
    expect(await page.isVisible('#view-code')).toBe(false);
    expect(win.bridge.session?.current).toMatchObject({ kind: 'sharing', viewOnly: false });
  });

  test('the technician\'s connection drops: the window says the technician is reconnecting, and stops saying it once it is back', async () => {
    const tech = await sharing('relay');
    const token = tokenOf(tech);
    proxy.cutAll();
    await page.waitForSelector('#sharing-technician-reconnecting', { state: 'visible' });
    expect(await text(page, '#sharing-technician-reconnecting')).toBe('Reconectando… (el técnico perdió la conexión; la sesión sigue abierta)');
    const back = await helloSealed(relay.wsUrl, 'technician', [PeerFeature.RESUME]);
    techs.push(back);
    back.sendJson({ type: 'resume', token });
    await back.next('resumed');
    await page.waitForSelector('#sharing-technician-reconnecting', { state: 'hidden' });
    await eventually(() => win.bridge.session?.current.kind === 'sharing', 5000, 'still sharing');
  });
});
