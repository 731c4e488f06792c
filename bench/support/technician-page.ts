import type { Page } from 'playwright-core';

/** One update the page drew: its FRAME_ACK went out right after the LAST rectangle was drawn. */
export interface PageDraw {
  readonly seq: number;
  /** From the frame header: the agent's `Date.now()` when it grabbed the screen. */
  readonly captureTimeMs: number;
  /** The page's `Date.now()` when it sent the ack (the same instant its StatsMeter records the draw). */
  readonly drawnAtMs: number;
}

/** One `pointer-move` input message the page sent. */
export interface PageMove {
  readonly x: number;
  readonly y: number;
  /** `performance.timeOrigin + performance.now()` in the page when the message went to the socket. */
  readonly sentAtMs: number;
  /**
   * `performance.timeOrigin + performance.now()` when the OLDEST pointermove event folded into
   * this message reached the page's first (capturing) listener (the page coalesces moves to one per animation frame), NaN if none was seen.
   */
  readonly pointerAtMs: number;
  /** Index of that pointer event since the last {@link takePageMoves} (−1 if none). */
  readonly pointerIndex: number;
}

/** What the hook keeps in the page (`window.__benchE2e`). */
interface HookState {
  draws: PageDraw[];
  moves: PageMove[];
  pointerEvents: number;
  firstPointerAt: number | undefined;
  firstPointerIndex: number;
}

/**
 * A page-side probe added only by the benchmark (technician/ is not changed): it wraps
 * `WebSocket.prototype.send` to see what the page sends, which is exactly what it has done:
 *
 * - a 16-byte binary message of kind FRAME_ACK (0x02; layout in protocol/frame.ts: seq u32
 *   at 4, captureTimeMs f64 at 8) goes out right after the LAST rectangle of an update was
 *   drawn on the canvas (UpdatePipeline → Panel.onUpdateDrawn, which records the status
 *   bar's fps and latency with `Date.now()` in the same call);
 * - a text message `{"type":"input","event":{"kind":"pointer-move",…}}` is a move leaving.
 *
 * A capturing `pointermove` listener on window notes when the pointer events fired. Written
 * as a plain script string so no bundler helper leaks into the page.
 */
export const TECHNICIAN_PAGE_HOOK = `(() => {
  const wall = () => performance.timeOrigin + performance.now();
  const s = { draws: [], moves: [], pointerEvents: 0, firstPointerAt: undefined, firstPointerIndex: -1 };
  Object.defineProperty(window, '__benchE2e', { value: s });
  addEventListener('pointermove', () => {
    // The listener's own time, not e.timeStamp: Chromium may stamp a synthetic or
    // CDP-dispatched event with an older platform time.
    if (s.firstPointerAt === undefined) { s.firstPointerAt = wall(); s.firstPointerIndex = s.pointerEvents; }
    s.pointerEvents++;
  }, { capture: true, passive: true });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      if (typeof data === 'string') {
        if (data.indexOf('"pointer-move"') >= 0) {
          const m = JSON.parse(data);
          if (m && m.type === 'input' && m.event && m.event.kind === 'pointer-move') {
            s.moves.push({ x: m.event.x, y: m.event.y, sentAtMs: wall(), pointerAtMs: s.firstPointerAt === undefined ? NaN : s.firstPointerAt, pointerIndex: s.firstPointerAt === undefined ? -1 : s.firstPointerIndex });
            s.firstPointerAt = undefined;
          }
        }
      } else {
        const b = data instanceof ArrayBuffer ? new Uint8Array(data)
          : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
        if (b && b.byteLength === 16 && b[0] === 0x02) {
          const dv = new DataView(b.buffer, b.byteOffset, 16);
          s.draws.push({ seq: dv.getUint32(4), captureTimeMs: dv.getFloat64(8), drawnAtMs: Date.now() });
        }
      }
    } catch (e) { /* the probe must never break the page */ }
    return send.call(this, data);
  };
})();`;

/** Installs the hook before the page's own script runs (every navigation of `page`). */
export async function installTechnicianPageHook(page: Page): Promise<void> {
  await page.addInitScript({ content: TECHNICIAN_PAGE_HOOK });
}

/** Number of draws recorded so far (to mark the start of a window). */
export async function pageDrawCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __benchE2e: HookState }).__benchE2e.draws.length);
}

/** Draws recorded from index `from` on. */
export async function pageDrawsSince(page: Page, from: number): Promise<PageDraw[]> {
  return page.evaluate((i) => (window as unknown as { __benchE2e: HookState }).__benchE2e.draws.slice(i), from);
}

/** Takes (and forgets) the moves the page has sent, and how many pointer events fired. */
export async function takePageMoves(page: Page): Promise<{ moves: PageMove[]; pointerEvents: number }> {
  return page.evaluate(() => {
    const s = (window as unknown as { __benchE2e: HookState }).__benchE2e;
    const out = { moves: s.moves.splice(0), pointerEvents: s.pointerEvents };
    s.pointerEvents = 0;
    s.firstPointerAt = undefined;
    return out;
  });
}

/** The status bar's own figures, as the technician sees them. */
export async function pageStatusBar(page: Page): Promise<{ fps: string; latency: string }> {
  return page.evaluate(() => ({
    fps: document.getElementById('stat-fps')?.textContent ?? '',
    latency: document.getElementById('stat-latency')?.textContent ?? '',
  }));
}

/**
 * Page clocks minus `benchClock()`, from the quickest of `pings` evaluate round trips:
 * `wall` is the page's `performance.timeOrigin + performance.now()`, `date` its `Date.now()`.
 * The offsets are known to within half of `rttMs`.
 */
export async function pageClockOffset(page: Page, benchClock: () => number, pings = 7): Promise<{ wallMs: number; dateMs: number; rttMs: number }> {
  let best = { wallMs: 0, dateMs: 0, rttMs: Infinity };
  for (let i = 0; i < pings; i++) {
    const before = benchClock();
    const [wall, date] = await page.evaluate(() => [performance.timeOrigin + performance.now(), Date.now()] as const);
    const after = benchClock();
    const mid = (before + after) / 2;
    if (after - before < best.rttMs) best = { wallMs: wall - mid, dateMs: date - mid, rttMs: after - before };
  }
  return best;
}
