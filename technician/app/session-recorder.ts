import fixWebmDuration from 'fix-webm-duration';

/** Frames a second of the recording: smooth enough to follow the pointer, light on the technician's computer. */
const RECORDING_FPS = 20;
/** Video bits a second asked of the encoder: a desktop at 1080p stays sharp for text. */
const VIDEO_BITS_PER_SECOND = 2_500_000;
/** Chunks are handed over every second, so a crash of the page loses at most that much. */
const CHUNK_MS = 1000;
/**
 * The recording stops by itself past this many bytes (about an hour at the bit rate
 * above): it is held in the browser's memory until it is saved.
 */
export const MAX_RECORDING_BYTES = 1024 * 1024 * 1024;

/** What the recording draws each frame: the remote screen and, over it, the customer's pointer. */
export interface RecordingSources {
  readonly screen: HTMLCanvasElement;
  /** Draws the pointer at its place for a picture of the screen drawn at `scale`, shifted by `dx`, `dy`. */
  drawPointer(target: CanvasRenderingContext2D, scale: number, dx: number, dy: number): void;
}

/** The first WebM the browser can make, VP8 first (every player reads it). */
function webmType(): string | undefined {
  const types = ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm'];
  return typeof MediaRecorder === 'undefined' ? undefined : types.find((t) => MediaRecorder.isTypeSupported(t));
}

/**
 * Records what the page shows of the customer's screen, pointer included, into a WebM
 * (`MediaRecorder` on a canvas's stream). A canvas of its own, the screen's size when the
 * recording starts, is repainted RECORDING_FPS times a second with the screen (fitted, if
 * the customer's screen changes size meanwhile) and the pointer over it. On stop the file
 * gets its duration written in (`fix-webm-duration`: MediaRecorder leaves it out, and a
 * player could not show the length or seek without it).
 */
export class SessionRecorder {
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private bytes = 0;
  private readonly painter: ReturnType<typeof setInterval>;
  private readonly startedAt = performance.now();
  private stoppedAt: number | undefined;
  private readonly finished: Promise<Blob>;

  /** Starts recording; undefined where the browser cannot (no MediaRecorder or WebM). */
  static start(sources: RecordingSources, onTooBig: () => void): SessionRecorder | undefined {
    const type = webmType();
    if (type === undefined || typeof sources.screen.captureStream !== 'function') return undefined;
    return new SessionRecorder(sources, type, onTooBig);
  }

  private constructor(private readonly sources: RecordingSources, type: string, onTooBig: () => void) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = Math.max(2, sources.screen.width);
    this.canvas.height = Math.max(2, sources.screen.height);
    this.context = this.canvas.getContext('2d')!;
    this.paint();
    this.recorder = new MediaRecorder(this.canvas.captureStream(RECORDING_FPS), { mimeType: type, videoBitsPerSecond: VIDEO_BITS_PER_SECOND });
    this.finished = new Promise<Blob>((resolve) => {
      this.recorder.addEventListener('stop', () => resolve(new Blob(this.chunks, { type: 'video/webm' })));
    });
    this.recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size === 0) return;
      this.chunks.push(e.data);
      this.bytes += e.data.size;
      if (this.bytes >= MAX_RECORDING_BYTES && this.stoppedAt === undefined) onTooBig();
    });
    this.painter = setInterval(() => this.paint(), 1000 / RECORDING_FPS);
    this.recorder.start(CHUNK_MS);
  }

  /** How long it has recorded, ms. */
  get elapsedMs(): number {
    return (this.stoppedAt ?? performance.now()) - this.startedAt;
  }

  /** Stops and hands over the WebM, its duration written in. Safe to call twice. */
  async stop(): Promise<Blob> {
    if (this.stoppedAt === undefined) {
      this.stoppedAt = performance.now();
      clearInterval(this.painter);
      this.recorder.stop();
    }
    const blob = await this.finished;
    return fixWebmDuration(blob, this.elapsedMs, { logger: false });
  }

  private paint(): void {
    const { screen } = this.sources;
    const { width, height } = this.canvas;
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, width, height);
    if (screen.width < 2 || screen.height < 2) return;
    // The customer's screen may change size (a resolution, another monitor): fit it, centred.
    const scale = Math.min(width / screen.width, height / screen.height);
    const dx = (width - screen.width * scale) / 2;
    const dy = (height - screen.height * scale) / 2;
    this.context.drawImage(screen, dx, dy, screen.width * scale, screen.height * scale);
    this.sources.drawPointer(this.context, scale, dx, dy);
  }
}

/** `CompuEasys-grabacion-2026-12-01-0930.webm`: the prefix in the technician's language, the local start time. */
export function recordingFileName(prefix: string, at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${prefix}-${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}.webm`;
}
