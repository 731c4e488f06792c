import type { HistogramData } from './histogram';

/**
 * What one simulated session does once paired. Both of its peers (the customer's client
 * and the technician) live in the same generator process, so input and frame latencies
 * are measured on one clock.
 */
export interface SessionProfile {
  /** Whole FRAME message size in bytes (32-byte header included); 0 sends no frames. */
  readonly frameBytes: number;
  /**
   * Time between frames, ms. 0 means "as fast as the window allows" (throughput): a
   * frame goes out whenever an acknowledgement frees a credit.
   */
  readonly frameIntervalMs: number;
  /**
   * Frames in flight without an acknowledgement, as the real client keeps (2). A timed
   * frame that finds no credit is skipped, as the real client skips a capture. 0 ignores
   * acknowledgements and sends every timed frame: a client that does not pace itself.
   */
  readonly frameWindow: number;
  /** Time between input events technician → client, ms; 0 sends none. */
  readonly inputIntervalMs: number;
}

/**
 * What a real remote-support session sends on average: about 180 kbit/s (a 2,250-byte
 * frame every 100 ms, 2 updates in flight, acked by its technician) and an input event
 * every 50 ms. The capacity ramp adds these; the slow-technician bench's neighbours are these.
 */
export const AVERAGE_SESSION: SessionProfile = Object.freeze({ frameBytes: 2250, frameIntervalMs: 100, frameWindow: 2, inputIntervalMs: 50 });

/** A paired session that sends nothing (the relay still pings its sockets). */
export const IDLE_SESSION: SessionProfile = Object.freeze({ frameBytes: 0, frameIntervalMs: 0, frameWindow: 0, inputIntervalMs: 0 });

export interface OpenRequest {
  readonly kind: 'open';
  /** Sessions are grouped so that, for example, one slow session and its neighbours report apart. */
  readonly group: string;
  readonly wsUrl: string;
  /** Where the technicians connect, when not to `wsUrl` (a pair across two relay nodes). */
  readonly techWsUrl?: string;
  readonly count: number;
  readonly profile: SessionProfile;
  /** Pairings in progress at once. */
  readonly concurrency: number;
}

export type GeneratorRequest =
  | OpenRequest
  /**
   * Split sessions (throughput): this generator opens client halves and answers their
   * access codes; another generator `join`s technicians with them; then `await-clients`
   * starts the clients once paired.
   */
  | { readonly kind: 'open-clients'; readonly group: string; readonly wsUrl: string; readonly count: number; readonly concurrency: number }
  | { readonly kind: 'join'; readonly group: string; readonly wsUrl: string; readonly codes: readonly string[]; readonly profile: SessionProfile; readonly concurrency: number }
  | { readonly kind: 'await-clients'; readonly group: string; readonly profile: SessionProfile }
  /** Starts a new measurement window for every group. */
  | { readonly kind: 'reset' }
  | { readonly kind: 'stats' }
  /** The technicians of a group stop (or resume) reading their sockets. */
  | { readonly kind: 'pause'; readonly group: string; readonly paused: boolean }
  /**
   * Stops (or restarts) the timed traffic (frames and input) of one group, or of all when
   * `group` is absent: sessions stay paired and idle.
   */
  | { readonly kind: 'quiet'; readonly group?: string; readonly quiet: boolean }
  | { readonly kind: 'close' };

export interface OpenResult {
  readonly opened: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly ms: number;
}

/** One group's figures since the last `reset`. */
export interface GroupStats {
  readonly sessions: number;
  /** Sessions whose sockets closed without being asked to. */
  readonly closedSessions: number;
  /** Close codes seen (code → count). */
  readonly closeCodes: Readonly<Record<string, number>>;
  readonly inputSent: number;
  readonly inputReceived: number;
  /** Input events that never arrived (a gap in `seq`), plus ones waiting for more than 1 s. */
  readonly inputLost: number;
  /** Technician send → client receipt of input, ms. */
  readonly inputLatency: HistogramData;
  readonly inputLatencyMax: number;
  readonly framesSent: number;
  /** Timed frames skipped for want of a credit (the technician lags). */
  readonly framesSkipped: number;
  readonly framesReceived: number;
  readonly frameBytesReceived: number;
  /** Client send → technician receipt of a frame, ms. */
  readonly frameLatency: HistogramData;
  readonly frameLatencyMax: number;
  /** `refresh` messages the clients got (the relay dropped frames for a lagging technician). */
  readonly refreshes: number;
  /** Bytes on the wire (TCP payload, WebSocket framing included) both ways, both peers. */
  readonly wireBytes: number;
}

export interface GeneratorStats {
  readonly elapsedMs: number;
  /** This generator's CPU time in the window, ms (user + system). */
  readonly cpuMs: number;
  /** Event-loop delay of this generator, ms: a late loop inflates the latencies it measures. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly rssBytes: number;
  readonly groups: Readonly<Record<string, GroupStats>>;
}

export type GeneratorReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export interface GeneratorEnvelope {
  readonly id: number;
  readonly request: GeneratorRequest;
}
