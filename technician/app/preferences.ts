import type { ScaleMode } from '../core/input/coordinate-mapping';
import type { QualitySetting } from '../core/session/technician-session';
import { isLanguage, type Language } from '../../common/language';

/** Storage keys, one prefix so they are easy to find and clear. */
const KEYS = Object.freeze({
  name: 'compueasys.technician.name',
  language: 'compueasys.technician.language',
  scale: 'compueasys.technician.scale',
  quality: 'compueasys.technician.quality',
  autoClipboard: 'compueasys.technician.autoClipboard',
});

/** The subset of the Storage API used (localStorage, or a Map-backed stand-in). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * What the technician chose last time, kept in the browser. Storage can be missing or
 * refuse writes (private windows, full quota, disabled cookies): the panel then simply
 * forgets, it never fails.
 */
export class Preferences {
  constructor(private readonly store: KeyValueStore | undefined) {}

  get name(): string {
    return this.read(KEYS.name) ?? '';
  }

  set name(value: string) {
    this.write(KEYS.name, value);
  }

  /** The saved language, or undefined when the technician never chose one. */
  get language(): Language | undefined {
    const v = this.read(KEYS.language);
    return isLanguage(v) ? v : undefined;
  }

  set language(value: Language) {
    this.write(KEYS.language, value);
  }

  get scale(): ScaleMode {
    return this.read(KEYS.scale) === 'one-to-one' ? 'one-to-one' : 'fit';
  }

  set scale(value: ScaleMode) {
    this.write(KEYS.scale, value);
  }

  get quality(): QualitySetting {
    return parseQuality(this.read(KEYS.quality));
  }

  set quality(value: QualitySetting) {
    this.write(KEYS.quality, value.mode === 'auto' ? 'auto' : String(value.value));
  }

  /** Whether the clipboards follow each other by themselves (off unless the technician turned it on). */
  get autoClipboard(): boolean {
    return this.read(KEYS.autoClipboard) === 'on';
  }

  set autoClipboard(value: boolean) {
    this.write(KEYS.autoClipboard, value ? 'on' : 'off');
  }

  private read(key: string): string | null {
    try {
      return this.store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.store?.setItem(key, value);
    } catch {
      // Storage refused (quota, privacy mode): not worth bothering the technician.
    }
  }
}

/** `auto`, or a JPEG quality 1–100 as text; anything else means auto. */
export function parseQuality(value: string | null | undefined): QualitySetting {
  const n = Number(value);
  return value !== 'auto' && Number.isInteger(n) && n >= 1 && n <= 100 ? { mode: 'fixed', value: n } : { mode: 'auto' };
}
