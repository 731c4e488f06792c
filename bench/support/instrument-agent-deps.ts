import type { RawFrame } from '../../client/capture/raw-frame';
import type { GrabHint, ScreenSource } from '../../client/capture/screen-source';
import type { Rect } from '../../client/diff/rect';
import type { RectEncoder } from '../../client/encode/rect-encoder';
import type { InputSink } from '../../client/input/input-sink';
import type { MouseButton } from '../../protocol';
import type { NativeKey } from '../../client/input/native-key';

/** One pointer move as it reached the real mouse (the X server, through XTest). */
export interface InjectedMove {
  readonly x: number;
  readonly y: number;
  /** Wall clock (see {@link wallClockMs}) when the agent called the sink, and when the sink resolved. */
  readonly startMs: number;
  readonly doneMs: number;
}

/** What the wrappers have seen since the agent started. */
export interface AgentProbe {
  /** `grab()` calls that resolved (the streamer's, and the one the session makes for `screen-info`). */
  grabs: number;
  /** `encode()` calls (one per rectangle or band). */
  encodes: number;
  /** JPEG quality of the latest `encode()` call: the streamer's current quality. */
  lastQuality: number;
  /** Pointer moves applied, oldest first; bounded by `maxMoves` (the oldest go first). */
  readonly moves: InjectedMove[];
}

/**
 * Sub-millisecond wall clock, comparable between processes on one machine: both take
 * `timeOrigin` from the same system clock, and the bench checks the remaining offset
 * over IPC before it trusts a cross-process latency.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Wraps the real adapters handed to `createAgent` so the bench can see inside the agent
 * without changing client/: the agent does not expose its FrameStreamer (nor its stats),
 * so grabs and quality are counted at the source and the encoder, and pointer moves are
 * timed at the input sink. Each wrapper adds one promise hop per call, nothing else.
 */
export function instrumentAgentDeps(
  deps: { readonly source: ScreenSource; readonly encoder: RectEncoder; readonly sink: InputSink },
  maxMoves = 2000,
): { source: ScreenSource; encoder: RectEncoder; sink: InputSink; probe: AgentProbe } {
  const probe: AgentProbe = { grabs: 0, encodes: 0, lastQuality: 0, moves: [] };
  const { source, encoder, sink } = deps;
  const countingSource: ScreenSource = {
    name: source.name,
    async grab(hint?: GrabHint): Promise<RawFrame> {
      const frame = await source.grab(hint);
      probe.grabs++;
      return frame;
    },
    // A damage-driven source's change signal passes through: the bench measures what ships.
    ...(source.changes ? { changes: source.changes } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
  const qualityEncoder: RectEncoder = {
    name: encoder.name,
    format: encoder.format,
    encode(frame: RawFrame, rect: Rect, quality: number): Promise<Uint8Array> {
      probe.encodes++;
      probe.lastQuality = quality;
      return encoder.encode(frame, rect, quality);
    },
  };
  const timingSink: InputSink = {
    name: deps.sink.name,
    screenSize: () => sink.screenSize(),
    async move(x: number, y: number): Promise<void> {
      const startMs = wallClockMs();
      await sink.move(x, y);
      if (probe.moves.length >= maxMoves) probe.moves.shift();
      probe.moves.push({ x, y, startMs, doneMs: wallClockMs() });
    },
    button: (button: MouseButton, down: boolean) => sink.button(button, down),
    scroll: (dx: number, dy: number) => sink.scroll(dx, dy),
    key: (key: NativeKey, down: boolean) => sink.key(key, down),
    typeText: (text: string) => sink.typeText(text),
    close: () => sink.close(),
  };
  return { source: countingSource, encoder: qualityEncoder, sink: timingSink, probe };
}
