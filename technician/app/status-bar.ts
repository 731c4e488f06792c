import { byId } from './dom';
import type { StatsTexts } from './format-stats';

/** How long a notice stays in the status bar, ms. */
const NOTICE_MS = 4000;

/** The status bar under the remote screen: the numbers, and short notices. */
export class StatusBar {
  private readonly fps = byId('stat-fps');
  private readonly latency = byId('stat-latency');
  private readonly bandwidth = byId('stat-bandwidth');
  private readonly screen = byId('stat-screen');
  private readonly quality = byId('stat-quality');
  private readonly notice = byId('stat-notice');
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  render(texts: StatsTexts): void {
    this.fps.textContent = texts.fps;
    this.latency.textContent = texts.latency;
    this.bandwidth.textContent = texts.bandwidth;
    this.screen.textContent = texts.screen;
    this.quality.textContent = texts.quality;
  }

  /** Shows a short notice that clears itself. */
  showNotice(text: string): void {
    this.notice.textContent = text;
    if (this.noticeTimer !== undefined) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = undefined;
      this.notice.textContent = '';
    }, NOTICE_MS);
  }

  clear(): void {
    if (this.noticeTimer !== undefined) clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    this.notice.textContent = '';
    for (const el of [this.fps, this.latency, this.bandwidth, this.screen, this.quality]) el.textContent = '–';
  }
}
