import { PeerFeature } from '../../protocol';
import { describeWithChromium } from '../support/browser';
import { helloSealed } from '../support/sealed-peers';
import { SealedClient } from '../support/sealed-client';
import { openPanel, panelSuite, submitCode, TECH_NAME, waitForState } from './panel-driver';

/**
 * Resume as the technician sees it (PROTOCOL.md §14), in Chromium, through a real relay:
 * the customer's app (a stand-in of version 2 that said `resume`) loses its connection and
 * comes back; the page keeps the screen and says "Reconnecting…" meanwhile, in the page's
 * language.
 */
describeWithChromium('resume on the technician page', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1000, height: 700 } });

  it('the customer drops: the page shows Reconnecting… beside the live screen, and carries on once the customer is back', async () => {
    const client = await SealedClient.register(t.relay.wsUrl, { features: [PeerFeature.RESUME] });
    try {
      await openPanel(t.page, t.relay.url);
      await submitCode(t.page, client.spokenCode);
      expect(await client.pair()).toBe(TECH_NAME);
      await waitForState(t.page, 'connected');
      expect(await t.page.isHidden('#reconnecting-badge')).toBe(true);
      const token = client.peer.received.flatMap((r) => (r.kind === 'text' && r.message.type === 'resume-token' ? [r.message.token] : []))[0];
      expect(token).toBeDefined();

      (client.peer.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
      await t.page.waitForSelector('#reconnecting-badge', { state: 'visible' });
      expect(await t.page.textContent('#reconnecting-badge')).toBe('Reconnecting… (the customer\'s computer lost its connection; the session stays open)');
      // The screen stays: the session view is still the one shown.
      expect(await t.page.isVisible('#session-view')).toBe(true);

      const back = await helloSealed(t.relay.wsUrl, 'client', [PeerFeature.RESUME]);
      try {
        back.sendJson({ type: 'resume', token: token! });
        await back.next('resumed');
        await t.page.waitForSelector('#reconnecting-badge', { state: 'hidden' });
        // The page says how far it got, at once, on the customer's return.
        expect((await back.until('ack')).type).toBe('ack');
        expect(await t.page.getAttribute('body', 'data-state')).toBe('connected');
      } finally {
        back.sendJson({ type: 'bye' });
      }
    } finally {
      client.close();
    }
  });
});
