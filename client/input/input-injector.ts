import type { Logger } from 'pino';
import type { InputEvent, MouseButton } from '../../protocol';
import { CoordinateMapper } from './coordinate-mapper';
import type { InputSink } from './input-sink';
import { mapKeyEvent } from './key-map';
import { MODIFIER_KEYS, type NativeKey } from './native-key';

/** Whether input may reach the machine: only after consent to control. */
export type InputMode = 'off' | 'view-only' | 'control';

export type InjectOutcome = 'queued' | 'refused' | 'coalesced';

/** Pause between the two clicks of a double click, ms (well under any double-click time). */
const DOUBLE_CLICK_GAP_MS = 40;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Events waiting for the sink beyond this are pointer moves first to go (newest kept). */
const MAX_QUEUE = 1000;

/**
 * Applies technician input events to the customer's machine, one at a time and in
 * order (the sink is asynchronous; a promise chain keeps the order). It refuses all
 * input unless the customer allowed control, maps coordinates from captured pixels to
 * the sink's space, and remembers held buttons and modifiers so that `releaseAll` can
 * let go of them when the session ends (a stuck Ctrl would be a nasty leftover).
 */
export class InputInjector {
  private mode: InputMode = 'off';
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private pendingMove: { x: number; y: number } | undefined;
  private readonly heldKeys = new Set<NativeKey>();
  private readonly heldButtons = new Set<MouseButton>();
  /** Events the sink failed on (logged, never thrown: the session goes on). */
  failures = 0;

  constructor(
    private readonly sink: InputSink,
    readonly mapper: CoordinateMapper,
    private readonly logger?: Logger,
    /**
     * Runs after each event reached the sink (applied or failed): the agent points it at
     * the streamer's nudge, so the screen is looked at while the event's echo appears.
     */
    private readonly onApplied?: () => void,
  ) {}

  setMode(mode: InputMode): void {
    this.mode = mode;
  }

  get currentMode(): InputMode {
    return this.mode;
  }

  /** Queues one event. Refused (and never applied) unless the mode is `control`. */
  inject(event: InputEvent): InjectOutcome {
    if (this.mode !== 'control') return 'refused';
    if (event.kind === 'pointer-move' && this.queued >= MAX_QUEUE) {
      // Under a flood keep only the newest position; clicks and keys are never dropped.
      const coalesced = this.pendingMove !== undefined;
      this.pendingMove = { x: event.x, y: event.y };
      if (!coalesced) this.enqueue(() => this.flushPendingMove());
      return 'coalesced';
    }
    this.enqueue(() => this.apply(event));
    return 'queued';
  }

  /** Resolves when every queued event has been applied. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Releases every held button and modifier, then stops accepting input. */
  async releaseAll(): Promise<void> {
    this.mode = 'off';
    await this.chain;
    for (const b of [...this.heldButtons]) await this.safely(() => this.sink.button(b, false));
    for (const k of [...this.heldKeys]) await this.safely(() => this.sink.key(k, false));
    this.heldButtons.clear();
    this.heldKeys.clear();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queued++;
    this.chain = this.chain.then(async () => {
      this.queued--;
      // A session that ended while this waited must not touch the machine any more.
      if (this.mode !== 'control') return;
      await this.safely(task);
      try {
        this.onApplied?.();
      } catch (err) {
        // A listener's bug must not break the chain that carries the next events.
        this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'input listener failed');
      }
    });
  }

  private async flushPendingMove(): Promise<void> {
    const move = this.pendingMove;
    this.pendingMove = undefined;
    if (move) await this.moveTo(move.x, move.y);
  }

  private async safely(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.failures++;
      this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'input injection failed');
    }
  }

  private moveTo(x: number, y: number): Promise<void> {
    const p = this.mapper.map(x, y);
    return this.sink.move(p.x, p.y);
  }

  private async apply(event: InputEvent): Promise<void> {
    switch (event.kind) {
      case 'pointer-move':
        return this.moveTo(event.x, event.y);
      case 'button-down':
        await this.moveTo(event.x, event.y);
        this.heldButtons.add(event.button);
        return this.sink.button(event.button, true);
      case 'button-up':
        await this.moveTo(event.x, event.y);
        this.heldButtons.delete(event.button);
        return this.sink.button(event.button, false);
      case 'click':
        await this.moveTo(event.x, event.y);
        await this.sink.button(event.button, true);
        return this.sink.button(event.button, false);
      case 'double-click':
        await this.moveTo(event.x, event.y);
        await this.sink.button(event.button, true);
        await this.sink.button(event.button, false);
        // Two clicks in the same millisecond are not always taken for a double click
        // (Chromium on X11 missed them); a short, human-like gap always is.
        await sleep(DOUBLE_CLICK_GAP_MS);
        await this.sink.button(event.button, true);
        return this.sink.button(event.button, false);
      case 'wheel':
        await this.moveTo(event.x, event.y);
        return this.sink.scroll(event.dx, event.dy);
      case 'key-down':
      case 'key-up': {
        const action = mapKeyEvent(event);
        if (action.kind === 'key') {
          if (MODIFIER_KEYS.has(action.key)) {
            if (action.down) this.heldKeys.add(action.key);
            else this.heldKeys.delete(action.key);
          }
          return this.sink.key(action.key, action.down);
        }
        if (action.kind === 'char') return this.typeUnshifted(action.text);
        return undefined;
      }
      case 'text':
        return this.typeUnshifted(event.text);
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  /**
   * Types text with the remote Shift keys up: the character already is what the
   * technician's layout produced, and a held Shift would change it again.
   */
  private async typeUnshifted(text: string): Promise<void> {
    const shifts = (['LeftShift', 'RightShift'] as const).filter((k) => this.heldKeys.has(k));
    for (const k of shifts) await this.sink.key(k, false);
    try {
      await this.sink.typeText(text);
    } finally {
      for (const k of shifts) await this.sink.key(k, true);
    }
  }
}
