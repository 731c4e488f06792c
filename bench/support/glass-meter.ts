/**
 * The glass benchmark's meter: a script put into a viewer page (ours or noVNC's) that reads
 * the viewer's canvas once per display refresh, as the eye would see it (the canvas as it is
 * composited at that refresh), and decodes the stamp the scene painted
 * (bench/support/glass-scene.ts). It knows nothing of either protocol: only the canvas,
 * found by a CSS selector.
 */
import type { Page } from 'playwright-core';
import { METER_AREA, SQUARE, STAMP } from './glass-scene';

/** A stamp seen on the viewer's canvas for the first time. */
export interface SeenFrame {
  readonly counter: number;
  /** Viewer Date.now() when the meter first saw it − the scene's Date.now() when it painted it, ms. */
  readonly latencyMs: number;
  /** Viewer Date.now() when the meter first saw it. */
  readonly seenAtMs: number;
}

/** What the meter has gathered since it was last emptied. */
export interface MeterReadings {
  readonly frames: SeenFrame[];
  /** Keydowns in the viewer → the square's next flip seen on its canvas, ms (the viewer's performance.now()). */
  readonly echoesMs: number[];
  /** The same echoes as the viewer's Date.now() at the keydown and at the sight, to match with reads off X. */
  readonly echoes: { readonly keyAtMs: number; readonly seenAtMs: number }[];
  /** Reads whose stamp did not check (torn between two updates, or not yet drawn). */
  readonly invalid: number;
  readonly reads: number;
}

/**
 * The page side. Pixels are sampled at the centre of each 16-px block (white: a 1), the
 * inverted rows must disagree with the bit rows everywhere, else the read is thrown away.
 * The scene's 32-bit time is put back into a whole Date.now() by the viewer's own clock
 * (both run on this machine). A keydown (capturing listener on window, before the viewer's
 * own) starts an echo timer; the next change of the square's colour ends the oldest one.
 */
function meterScript(canvasSelector: string): string {
  return `(() => {
  const S = ${JSON.stringify(STAMP)}, Q = ${JSON.stringify(SQUARE)}, A = ${JSON.stringify(METER_AREA)};
  const m = { frames: [], echoesMs: [], echoes: [], invalid: 0, reads: 0 };
  const keys = [];
  let last = -1, square = -1;
  Object.defineProperty(window, '__glass', { value: { take() { const out = { frames: m.frames.splice(0), echoesMs: m.echoesMs.splice(0), echoes: m.echoes.splice(0), invalid: m.invalid, reads: m.reads }; m.invalid = 0; m.reads = 0; return out; } } });
  addEventListener('keydown', () => { keys.push({ at: performance.now(), dateMs: Date.now() }); }, { capture: true });
  const lum = (d, x, y) => { const i = ((y - A.y) * A.width + (x - A.x)) * 4; return (d[i] + d[i + 1] + d[i + 2]) / 3; };
  // Sampled once per display refresh, as the last of that refresh's animation-frame
  // callbacks: the canvas as it is composited, with whatever a viewer drew in its own
  // callbacks for this refresh and nothing drawn after it. The page's requestAnimationFrame
  // is wrapped so that the sampler stays last: a callback the page adds between refreshes
  // moves the sampler behind it (one added during a refresh belongs to the next one, which
  // the sampler re-arms for when it runs).
  const raf = window.requestAnimationFrame.bind(window), caf = window.cancelAnimationFrame.bind(window);
  let samplerId = 0, inRefresh = false;
  function onRefresh() {
    inRefresh = false;
    samplerId = raf(onRefresh);
    read();
  }
  window.requestAnimationFrame = (callback) => {
    const id = raf((t) => { inRefresh = true; callback(t); });
    if (!inRefresh) { caf(samplerId); samplerId = raf(onRefresh); }
    return id;
  };
  function read() {
    const c = document.querySelector(${JSON.stringify(canvasSelector)});
    if (!c || c.width < A.x + A.width || c.height < A.y + A.height) return;
    const now = Date.now(), at = performance.now();
    const d = c.getContext('2d').getImageData(A.x, A.y, A.width, A.height).data;
    m.reads++;
    let counter = 0, time = 0, ok = true;
    for (let i = 0; i < S.bits && ok; i++) {
      const x = A.x + (i % S.perRow) * S.bit + (S.bit >> 1), y = A.y + Math.floor(i / S.perRow) * S.bit + (S.bit >> 1);
      const b = lum(d, x, y) > 127, inv = lum(d, x, y + 2 * S.bit) > 127;
      if (b === inv) ok = false;
      else if (b) { if (i < S.counterBits) counter += 2 ** i; else time += 2 ** (i - S.counterBits); }
    }
    if (!ok) m.invalid++;
    else if (counter !== last) {
      last = counter;
      const sceneMs = now - ((now - time) % 4294967296 + 4294967296) % 4294967296;
      m.frames.push({ counter, latencyMs: now - sceneMs, seenAtMs: now });
    }
    const sq = lum(d, Q.x + (Q.size >> 1), Q.y + (Q.size >> 1)) > 127 ? 1 : 0;
    if (square !== -1 && sq !== square && keys.length > 0) {
      const key = keys.shift();
      m.echoesMs.push(at - key.at);
      m.echoes.push({ keyAtMs: key.dateMs, seenAtMs: now });
    }
    square = sq;
  }
  samplerId = raf(onRefresh);
})();`;
}

/** Puts the meter into `page` (every document it loads from now on). */
export async function installMeter(page: Page, canvasSelector: string): Promise<void> {
  await page.addInitScript({ content: meterScript(canvasSelector) });
}

/** Takes what the meter gathered and empties it (a window starts with a take). */
export async function takeMeter(page: Page): Promise<MeterReadings> {
  return page.evaluate(() => (window as unknown as { __glass: { take(): MeterReadings } }).__glass.take());
}

/** Counts the bytes of every WebSocket message the page receives (Playwright sees them off the wire, for either viewer). */
export function countReceivedBytes(page: Page): () => number {
  let bytes = 0;
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => { bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length; });
  });
  return () => bytes;
}
