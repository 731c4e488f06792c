import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the relay forwards, for the labels of the forwarding histogram. */
export type ForwardedKind = 'frame' | 'ack' | 'control';

/** The live figures the metrics read at scrape time (from the hub, the server, the legacy API). */
export interface RelayGauges {
  sessions(): { readonly waiting: number; readonly agreeing: number; readonly pendingConsent: number; readonly paired: number };
  sockets(): number;
  legacyPeers(): number;
  trackedAddresses(): number;
  /** Totals kept where they happen (the hub counts frames for /healthz and tests too). */
  framesForwarded(): number;
  framesDropped(): number;
  resumes(): number;
}

/**
 * A counter whose total is kept elsewhere: it reads the total when scraped, so there is
 * one count, not two that could disagree.
 */
function counterReading(name: string, help: string, registers: Registry[], read: () => number): Counter {
  return new Counter({
    name, help, registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** The histograms record one forwarded message in this many (see RelayMetrics). */
const DEFAULT_SAMPLE_EVERY = 16;
/** Upper bounds of the forwarding-latency buckets, seconds: 0.1 ms … 1 s. */
const FORWARD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Upper bounds of the frame-size buckets, bytes: a small tile … the 4 MiB default limit. */
const FRAME_BUCKETS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

let processRegistry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event-loop delay, GC) describe the process, not one
 * relay, so they are collected once per process however many relays a test starts, and
 * joined to each relay's own metrics when scraped.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The relay's Prometheus metrics (`GET /metrics`), on prom-client: counters the relay
 * increments as things happen, gauges read when scraped, histograms of forwarding latency
 * and frame sizes, and Node's default process metrics.
 */
export class RelayMetrics {
  private readonly registry = new Registry();
  private readonly forwardSeconds: Record<ForwardedKind, Histogram.Internal<string>>;
  private readonly frameBytes: Histogram;
  private readonly errorsSent: Counter<'code'>;
  private readonly peerFailures: Counter;
  private readonly httpFailures: Counter;
  /** Forwarded messages and frames seen, for sampling the histograms. */
  private seen = 0;

  /**
   * `sampleEvery`: the histograms record one forwarded message (and one frame size) in
   * this many. Observing every one costs a callback and a histogram update per message,
   * which is a noticeable share of forwarding small messages; a sample shows the same
   * distribution. Tests set 1.
   */
  constructor(gauges: RelayGauges, private readonly sampleEvery = DEFAULT_SAMPLE_EVERY) {
    const registers = [this.registry];
    new Gauge({
      name: 'relay_sessions', help: 'Live sessions by state', labelNames: ['state'], registers,
      collect() {
        const s = gauges.sessions();
        this.set({ state: 'waiting' }, s.waiting);
        this.set({ state: 'agreeing' }, s.agreeing);
        this.set({ state: 'pending_consent' }, s.pendingConsent);
        this.set({ state: 'paired' }, s.paired);
      },
    });
    new Gauge({ name: 'relay_sockets', help: 'Open WebSocket connections', registers, collect() { this.set(gauges.sockets()); } });
    new Gauge({ name: 'relay_legacy_peers', help: 'Legacy polling peers, ended ones in their grace time included', registers, collect() { this.set(gauges.legacyPeers()); } });
    new Gauge({ name: 'relay_code_attempt_addresses', help: 'Addresses the wrong-code limiter remembers', registers, collect() { this.set(gauges.trackedAddresses()); } });
    counterReading('relay_frames_forwarded_total', 'Frames passed from a client to its technician', registers, gauges.framesForwarded);
    counterReading('relay_frames_dropped_total', 'Frames replaced unsent because the technician lagged (newest wins)', registers, gauges.framesDropped);
    counterReading('relay_resumes_total', 'Sides that came back into their session after a dropped connection', registers, gauges.resumes);
    this.errorsSent = new Counter({ name: 'relay_errors_sent_total', help: 'Errors the relay sent on WebSockets, by catalogue code', labelNames: ['code'], registers });
    this.peerFailures = new Counter({ name: 'relay_peer_failures_total', help: 'Messages whose handling failed inside the relay; only that peer\'s socket was closed', registers });
    this.httpFailures = new Counter({ name: 'relay_http_failures_total', help: 'HTTP requests that failed inside the relay (answered 500)', registers });
    const forward = new Histogram({
      name: 'relay_forward_seconds', help: `From a message reaching the relay to its bytes being written to the other peer's socket (a sample: one message in ${sampleEvery})`,
      labelNames: ['kind'], buckets: FORWARD_BUCKETS, registers,
    });
    this.forwardSeconds = { frame: forward.labels('frame'), ack: forward.labels('ack'), control: forward.labels('control') };
    this.frameBytes = new Histogram({ name: 'relay_frame_bytes', help: `Size of the frames clients send (a sample: one frame in ${sampleEvery})`, buckets: FRAME_BUCKETS, registers });
  }

  /** Whether this message (or frame) is one of the sample the histograms record. */
  sampleNow(): boolean {
    this.seen = (this.seen + 1) % this.sampleEvery;
    return this.seen === 0;
  }

  /** A client sent a frame of this many bytes (one of the sample). */
  frameReceived(bytes: number): void {
    this.frameBytes.observe(bytes);
  }

  /** A message received at `receivedAtMs` (monotonic) has just been written out. */
  forwarded(kind: ForwardedKind, receivedAtMs: number, nowMs: number): void {
    this.forwardSeconds[kind].observe((nowMs - receivedAtMs) / 1000);
  }

  errorSent(code: string): void {
    this.errorsSent.inc({ code });
  }

  peerFailure(): void {
    this.peerFailures.inc();
  }

  httpFailure(): void {
    this.httpFailures.inc();
  }

  /** The Prometheus text exposition: this relay's metrics and the process's. */
  async text(): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
