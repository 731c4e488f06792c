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

/** One WebCrypto call of the page (AES-256-GCM through common/e2e/webcrypto-aead.ts): what sealing costs it. */
export interface PageCryptoCall {
  /** 'open': a FRAME opened (decrypt with a FRAME envelope as associated data); 'seal': anything sealed. */
  readonly op: 'open' | 'seal';
  /** Bytes handed to the cipher (ciphertext and tag to open, plaintext to seal). */
  readonly bytes: number;
  /** From the call to its promise settling, ms (the page's clock; other work of the page can run meanwhile). */
  readonly ms: number;
}

/** When the page started and finished opening the first sealed rectangle of an update (the page's Date.now()). */
export interface PageFrameOpen {
  readonly seq: number;
  readonly startMs: number;
  readonly doneMs: number;
}

/** What the hook keeps in the page (`window.__benchE2e`). */
interface HookState {
  draws: PageDraw[];
  opens: PageFrameOpen[];
  moves: PageMove[];
  pointerEvents: number;
  firstPointerAt: number | undefined;
  firstPointerIndex: number;
  crypto: PageCryptoCall[];
}

/**
 * A page-side probe added only by the benchmark (technician/ is not changed): it wraps
 * `WebSocket.prototype.send` and, for a sealed session, `SubtleCrypto.prototype.encrypt`
 * and `decrypt`, to see what the page sends, which is exactly what it has done:
 *
 * - in clear, a 16-byte binary message of kind FRAME_ACK (0x02; layout in protocol/frame.ts:
 *   seq u32 at 4, captureTimeMs f64 at 8) goes out right after the LAST rectangle of an
 *   update was drawn on the canvas (UpdatePipeline → Panel.onUpdateDrawn, which records the
 *   status bar's fps and latency with `Date.now()` in the same call);
 * - sealed, that acknowledgement is sealed first (PROTOCOL.md §12.4: the record layer
 *   encrypts bytes 8–15, captureTimeMs, with the envelope, seq in clear, as associated
 *   data), and the seal is started in that same call: an `encrypt` whose associated data is
 *   an 8-byte envelope of kind 0x02 is a draw, taken at the call;
 * - a text message `{"type":"input","event":{"kind":"pointer-move",…}}` is a move leaving;
 *   sealed, the move is seen as it is sealed (an `encrypt` with associated data `input`, the
 *   plaintext being the message's JSON) and taken as leaving when the next sealed `input`
 *   goes to the socket (records are sent in the order they were sealed);
 * - every `decrypt` of a FRAME (associated data: an 8-byte envelope of kind 0x01) and every
 *   `encrypt` is timed, call to settling: the page's own sealing cost.
 *
 * A capturing `pointermove` listener on window notes when the pointer events fired. Written
 * as a plain script string so no bundler helper leaks into the page.
 */
export const TECHNICIAN_PAGE_HOOK = `(() => {
  const wall = () => performance.timeOrigin + performance.now();
  const s = { draws: [], opens: [], pointerEvents: 0, firstPointerAt: undefined, firstPointerIndex: -1, crypto: [] };
  Object.defineProperty(window, '__benchE2e', { value: s });
  addEventListener('pointermove', () => {
    // The listener's own time, not e.timeStamp: Chromium may stamp a synthetic or
    // CDP-dispatched event with an older platform time.
    if (s.firstPointerAt === undefined) { s.firstPointerAt = wall(); s.firstPointerIndex = s.pointerEvents; }
    s.pointerEvents++;
  }, { capture: true, passive: true });
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
  const moveOf = (m) => (m && m.type === 'input' && m.event && m.event.kind === 'pointer-move') ? m.event : undefined;
  const pointerNow = () => {
    const at = { pointerAtMs: s.firstPointerAt === undefined ? NaN : s.firstPointerAt, pointerIndex: s.firstPointerAt === undefined ? -1 : s.firstPointerIndex };
    s.firstPointerAt = undefined;
    return at;
  };
  // Sealed input records, in the order they were sealed (and so sent): a pointer move, or null for other input.
  const sealedInputs = [];
  if (typeof SubtleCrypto !== 'undefined') {
    const proto = SubtleCrypto.prototype;
    const encrypt = proto.encrypt;
    const decrypt = proto.decrypt;
    const textOf = new TextDecoder();
    const timed = (op, bytes, promise) => {
      const t0 = performance.now();
      const done = () => { s.crypto.push({ op, bytes, ms: performance.now() - t0 }); };
      promise.then(done, done);
      return promise;
    };
    proto.encrypt = function (params, key, data) {
      const plain = bytesOf(data);
      try {
        const aad = params && params.additionalData !== undefined ? bytesOf(params.additionalData) : undefined;
        if (aad && plain && aad.byteLength === 8 && aad[0] === 0x02 && plain.byteLength === 8) {
          const seq = new DataView(aad.buffer, aad.byteOffset, 8).getUint32(4);
          const captureTimeMs = new DataView(plain.buffer, plain.byteOffset, 8).getFloat64(0);
          s.draws.push({ seq, captureTimeMs, drawnAtMs: Date.now() });
        } else if (aad && plain && aad.byteLength === 5 && textOf.decode(aad) === 'input') {
          const e = moveOf(JSON.parse(textOf.decode(plain)));
          sealedInputs.push(e ? { x: e.x, y: e.y, ...pointerNow() } : null);
        }
      } catch (e) { /* the probe must never break the page */ }
      return timed('seal', plain ? plain.byteLength : 0, encrypt.call(this, params, key, data));
    };
    proto.decrypt = function (params, key, data) {
      let frame = false, seq = -1;
      try {
        const aad = params && params.additionalData !== undefined ? bytesOf(params.additionalData) : undefined;
        frame = !!aad && aad.byteLength === 8 && aad[0] === 0x01;
        if (frame) seq = new DataView(aad.buffer, aad.byteOffset, 8).getUint32(4);
      } catch (e) { /* never break the page */ }
      const sealed = bytesOf(data);
      const startMs = Date.now();
      const result = decrypt.call(this, params, key, data);
      if (frame && (s.opens.length === 0 || s.opens[s.opens.length - 1].seq !== seq)) {
        const open = { seq, startMs, doneMs: NaN };
        s.opens.push(open);
        const done = () => { open.doneMs = Date.now(); };
        result.then(done, done);
      }
      return frame ? timed('open', sealed ? sealed.byteLength : 0, result) : result;
    };
  }
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      if (typeof data === 'string') {
        if (data.indexOf('"pointer-move"') >= 0) {
          const e = moveOf(JSON.parse(data));
          if (e) s.moves.push({ x: e.x, y: e.y, sentAtMs: wall(), ...pointerNow() });
        } else if (data.indexOf('"sealed"') >= 0 && data.indexOf('"input"') >= 0) {
          const m = JSON.parse(data);
          if (m && m.type === 'sealed' && m.inner === 'input') {
            const move = sealedInputs.shift();
            if (move) s.moves.push({ x: move.x, y: move.y, sentAtMs: wall(), pointerAtMs: move.pointerAtMs, pointerIndex: move.pointerIndex });
          }
        }
      } else {
        const b = bytesOf(data);
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

/** The update openings recorded, from the first one of update `seq` or later on (a window starts at its first draw's seq). */
export async function pageOpensFromSeq(page: Page, seq: number): Promise<PageFrameOpen[]> {
  return page.evaluate((first) => {
    const opens = (window as unknown as { __benchE2e: HookState }).__benchE2e.opens;
    const i = opens.findIndex((o) => o.seq >= first);
    return i < 0 ? [] : opens.slice(i);
  }, seq);
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

/** Takes (and forgets) the page's WebCrypto calls so far. */
export async function takePageCrypto(page: Page): Promise<PageCryptoCall[]> {
  return page.evaluate(() => (window as unknown as { __benchE2e: HookState }).__benchE2e.crypto.splice(0));
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
