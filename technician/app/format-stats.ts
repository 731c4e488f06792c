import type { StatsSnapshot } from '../core/stats/stats-meter';
import type { QualitySetting } from '../core/session/technician-session';
import type { Language } from '../../common/language';

/** The status bar's texts. */
export interface StatsTexts {
  readonly fps: string;
  readonly latency: string;
  readonly bandwidth: string;
  readonly screen: string;
  readonly quality: string;
}

const DASH = '–';
/**
 * Beyond this, or below zero, "capture to draw" measures the difference of the two
 * machines' clocks rather than the stream (a customer PC whose clock is off): show a dash
 * rather than a wrong number.
 */
const MAX_PLAUSIBLE_LATENCY_MS = 10_000;

/** Formats the meter's numbers for the status bar, with the language's decimal mark. */
export function formatStats(stats: StatsSnapshot, quality: QualitySetting, language: Language, autoLabel: string): StatsTexts {
  const one = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const whole = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  return {
    fps: whole.format(stats.fps),
    latency: stats.latencyMs === undefined || stats.latencyMs < 0 || stats.latencyMs > MAX_PLAUSIBLE_LATENCY_MS
      ? DASH : `${whole.format(stats.latencyMs)} ms`,
    bandwidth: formatBandwidth(stats.bytesPerSecond, one),
    screen: stats.screenWidth > 0 ? `${stats.screenWidth} × ${stats.screenHeight}` : DASH,
    quality: quality.mode === 'auto' ? autoLabel : String(quality.value),
  };
}

/** Bytes per second as B/s, kB/s or MB/s (decimal units, as network speeds are quoted). */
export function formatBandwidth(bytesPerSecond: number, format: Intl.NumberFormat): string {
  if (bytesPerSecond < 1000) return `${format.format(bytesPerSecond)} B/s`;
  if (bytesPerSecond < 1_000_000) return `${format.format(bytesPerSecond / 1000)} kB/s`;
  return `${format.format(bytesPerSecond / 1_000_000)} MB/s`;
}
