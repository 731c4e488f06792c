import { CloseCode, Errors } from '../../protocol';
import { describeWithChromium, watchPageSockets } from '../support/browser';
import { SealedClient } from '../support/sealed-client';
import {
  BACKGROUND, BLOCK, canvasPixel, inputsUntil, jpegWithBlock, openPanel, pagePointOf, panelSuite, SCREEN, submitCode, TECH_NAME, waitForState,
} from './panel-driver';

/**
 * End-to-end encryption as the technician sees it (PROTOCOL.md §12), in Chromium, through
 * a real relay, with stand-in customers: a version-2 app (test/support/sealed-client.ts:
 * the real key agreement and record layer) and a version-1 one (in clear).
 */
const PHRASE = 'Útil: año, cigüeña, ¿qué? ¡ya! 5 € ß';

/** JPEG is lossy: a solid block comes back within a few levels of its colour. */
function near(actual: number[], rgb: readonly number[], tolerance = 12): boolean {
  return rgb.every((v, i) => Math.abs(actual[i]! - v) <= tolerance) && actual[3] === 255;
}

describeWithChromium('end-to-end encryption on the technician page', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1000, height: 700 } });

  it('a 9-digit code pairs sealed: the page draws the sealed frame, its input arrives exactly, and the lock is shown', async () => {
    const sockets = await watchPageSockets(t.page);
    const { client } = await t.connect(); // typed "385 621 947", agreed, introduced, accepted, one sealed frame drawn and acknowledged
    expect(client.wholeCode).toMatch(/^\d{9}$/);
    expect(await t.page.textContent('#e2e-badge')).toBe('🔒 End-to-end encrypted');
    expect(await t.page.getAttribute('#e2e-badge', 'data-e2e')).toBe('sealed');
    // The computer's name came sealed: the relay's `paired` carried an empty one.
    expect(await t.page.textContent('#peer-name')).toBe('PC-RECEPCION');
    expect(near(await canvasPixel(t.page, BLOCK.x + BLOCK.width / 2, BLOCK.y + BLOCK.height / 2), BLOCK.rgb)).toBe(true);
    expect(near(await canvasPixel(t.page, 1000, 600), BACKGROUND)).toBe(true);

    const at = await pagePointOf(t.page, 300, 200);
    await t.page.mouse.click(at.x, at.y);
    const clicks = (await client.inputsUntil((e) => e.kind === 'button-up')).filter((e) => e.kind !== 'pointer-move');
    expect(clicks).toEqual([
      { kind: 'button-down', button: 'left', x: 300, y: 200 },
      { kind: 'button-up', button: 'left', x: 300, y: 200 },
    ]);
    await t.page.click('#text-toggle');
    await t.page.fill('#send-text-input', PHRASE);
    await t.page.click('#send-text-button');
    expect(await client.inputsUntil((e) => e.kind === 'text')).toEqual([{ kind: 'text', text: PHRASE }]);
    await t.page.focus('#remote-screen');
    await t.page.keyboard.type('ok');
    expect(await client.inputsUntil((e) => e.kind === 'text' && e.text === 'k')).toEqual([{ kind: 'text', text: 'o' }, { kind: 'text', text: 'k' }]);

    // What the page put on the wire: the routing digits and no name in join, then only the
    // agreement's messages and sealed records. Neither the phrase nor the name is readable.
    const sent = await sockets.sent();
    expect(sent.find((m) => m.type === 'join')).toEqual({ type: 'join', code: client.routingCode, name: '' });
    expect([...new Set(sent.map((m) => m.type))].sort()).toEqual(['e2e-confirm', 'e2e-share', 'hello', 'join', 'sealed']);
    const wire = JSON.stringify(sent);
    for (const secret of ['cigüeña', PHRASE, TECH_NAME, client.wholeCode]) expect([secret, wire.includes(secret)]).toEqual([secret, false]);
  });

  it('wrong secret digits: the customer\'s app cannot verify, the page says so and is ready for the new code', async () => {
    const client = await t.register();
    const wrong = `${client.wholeCode.slice(0, 8)}${client.wholeCode[8] === '0' ? '1' : '0'}`;
    await openPanel(t.page, t.relay.url);
    await submitCode(t.page, wrong);
    expect(await client.agree()).toBe('mismatch'); // the customer's app refused our confirmation and said so
    await waitForState(t.page, 'verification-failed');
    expect(await t.page.textContent('#state-title'))
      .toBe('The connection could not be verified: the code does not match or someone is interfering.');
    expect(await t.page.textContent('#state-detail')).toBe("The customer's screen now shows a new code: ask for it and type all of it.");
    expect(await t.page.getAttribute('#state-panel', 'data-tone')).toBe('error');
    // The customer's app got a new code; the page's form waits for it, emptied.
    expect((await client.peer.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await client.peer.next('code')).code).not.toBe(client.routingCode);
    expect(await t.page.inputValue('#access-code')).toBe('');
    expect(await t.page.isEnabled('#access-code')).toBe(true);
    expect(await t.page.isVisible('#connect-button')).toBe(true);
    expect(t.relay.hub.counts()).toEqual({ waiting: 1, agreeing: 0, pendingConsent: 0, paired: 0 });

    // The technician types the next code read out: the page starts again and pairs.
    const next = await SealedClient.register(t.relay.wsUrl);
    try {
      await submitCode(t.page, next.spokenCode);
      expect(await next.pair()).toBe(TECH_NAME);
      await waitForState(t.page, 'connected');
      expect(await t.page.textContent('#e2e-badge')).toBe('🔒 End-to-end encrypted');
    } finally {
      next.close();
    }
  });

  it('six digits typed where the customer\'s app shows more: the code is missing digits, nothing is paired', async () => {
    const sockets = await watchPageSockets(t.page);
    const client = await t.register();
    await openPanel(t.page, t.relay.url);
    await submitCode(t.page, client.routingCode);
    await client.peer.next('e2e-start'); // the relay knows both sides seal
    await waitForState(t.page, 'verification-failed');
    expect(await t.page.textContent('#state-title')).toBe('The code is missing digits.');
    expect(await t.page.textContent('#state-detail')).toContain('385 621 947');
    // The page said why and agreed on nothing; the customer's app got a new code at once.
    const sent = (await sockets.sent()).map((m) => m.type === 'e2e-failed' ? `e2e-failed ${String(m.reason)}` : m.type);
    expect(sent).toEqual(['hello', 'join', 'e2e-failed incomplete-code']);
    expect((await client.peer.next('error')).code).toBe(Errors.E2E_FAILED.code);
    await client.peer.next('code');
    expect(t.relay.hub.counts()).toEqual({ waiting: 1, agreeing: 0, pendingConsent: 0, paired: 0 });
    expect(await t.page.isVisible('#session-view')).toBe(false);
  });

  it('a long code with a customer\'s app that cannot seal is refused: the relay could be pretending', async () => {
    const { client, code } = await t.registerLegacy(); // version 1: six digits, in clear
    await openPanel(t.page, t.relay.url);
    await submitCode(t.page, `${code}947`); // as if the customer had read nine digits
    // The relay asks the old app (with an empty name: the page keeps it for a sealed introduction)…
    expect((await client.next('consent-request')).technicianName).toBe('');
    await waitForState(t.page, 'verification-failed');
    expect(await t.page.textContent('#state-title')).toBe('Session refused: it would not be end-to-end encrypted.');
    // … and the page withdrew at once: the question is void, nothing was paired.
    expect(await client.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect(t.relay.hub.counts().paired).toBe(0);
    expect(await t.page.isVisible('#session-view')).toBe(false);
  });

  it('a sealed frame with one bit flipped: the page says the connection was tampered with, and ends it for both', async () => {
    const { client } = await t.connect();
    await client.sendTamperedFrame(2, SCREEN.width, SCREEN.height, await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, BLOCK));
    await waitForState(t.page, 'verification-failed');
    expect(await t.page.textContent('#state-title')).toBe('The connection was tampered with: the session was closed.');
    expect(await t.page.getAttribute('#state-panel', 'data-tone')).toBe('error');
    expect(await t.page.isVisible('#session-view')).toBe(false);
    // The page told the relay (e2e-failed tampered), which ended the session for the customer too.
    expect((await client.peer.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await client.peer.closed).code).toBe(CloseCode.E2E_FAILED);
  });

  it('an older customer\'s app (six digits, version 1) still works, labelled "not end-to-end encrypted"', async () => {
    const sockets = await watchPageSockets(t.page);
    const { client } = await t.connectLegacy();
    expect(await t.page.textContent('#e2e-badge')).toBe('⚠ Not end-to-end encrypted');
    expect(await t.page.getAttribute('#e2e-badge', 'data-e2e')).toBe('plain');
    expect(await t.page.getAttribute('#e2e-badge', 'title')).toBe("The customer's app is an older version: the server could see this session.");
    expect(await t.page.textContent('#peer-name')).toBe('PC-RECEPCION');
    expect(near(await canvasPixel(t.page, BLOCK.x + 10, BLOCK.y + 10), BLOCK.rgb)).toBe(true);
    const at = await pagePointOf(t.page, 640, 360);
    await t.page.mouse.click(at.x, at.y);
    expect((await inputsUntil(client, (e) => e.kind === 'button-up')).filter((e) => e.kind !== 'pointer-move')).toEqual([
      { kind: 'button-down', button: 'left', x: 640, y: 360 },
      { kind: 'button-up', button: 'left', x: 640, y: 360 },
    ]);
    // In clear, as a version-1 app expects, and the join carried the name it asks about.
    const sent = await sockets.sent();
    expect(sent.find((m) => m.type === 'join')).toEqual({ type: 'join', code: expect.stringMatching(/^\d{6}$/), name: TECH_NAME });
    expect(sent.some((m) => m.type === 'sealed')).toBe(false);
  });
});
