import type { TransferProgress } from './transfer-progress';

/**
 * A transfer's progress in words the customer and the technician read, the same on the
 * page, in the customer's window and in the terminal: "12,5 MB de 50 MB · 8,1 MB/s ·
 * quedan 5 s" / "12.5 MB of 50 MB · 8.1 MB/s · 5 s left".
 */
export type TransferLanguage = 'es' | 'en';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in decimal units with one decimal past the first unit, in the language's number style. */
export function formatBytes(bytes: number, language: TransferLanguage): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const text = unit === 0 ? String(Math.round(value)) : value.toFixed(value >= 100 ? 0 : 1);
  return `${language === 'es' ? text.replace('.', ',') : text} ${UNITS[unit]}`;
}

/** Whole seconds, then minutes and seconds, then hours and minutes. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatProgress(p: TransferProgress, language: TransferLanguage): string {
  const of = language === 'es' ? 'de' : 'of';
  const parts = [`${formatBytes(p.bytes, language)} ${of} ${formatBytes(p.total, language)}`];
  if (p.bytesPerSecond > 0 && p.bytes < p.total) parts.push(`${formatBytes(p.bytesPerSecond, language)}/s`);
  if (p.secondsLeft !== undefined && p.bytes < p.total) {
    parts.push(language === 'es' ? `quedan ${formatDuration(p.secondsLeft)}` : `${formatDuration(p.secondsLeft)} left`);
  }
  return parts.join(' · ');
}
