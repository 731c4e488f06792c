import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { pickLanguage, type Language } from '../../common/language';
import { messagesFor } from './language';
import type { Messages } from './messages';
import { applyTranslations } from './translate';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** What GET /api/account/stats answers (relay/stats/statistics.ts). */
interface Stats {
  readonly overall: { sessions: number; helped: number; medianMs: number | null; longestMs: number | null };
  readonly perDay: { day: string; sessions: number; helped: number; medianMs: number | null; longestMs: number | null }[];
  readonly perTechnician: { technician: string; sessions: number; medianMs: number | null; longestMs: number | null }[];
  readonly abandoned: number;
  readonly refused: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** `12 min 5 s`, `1 h 3 min`: a duration as people say it. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The admins' statistics page: sessions per day, helped, median and longest duration,
 * per technician, abandoned and refused, for a range of days and one technician or all,
 * as Chart.js charts and a table, and the records as CSV. The relay answers only a
 * signed-in admin; anyone else is told so.
 */
class StatsPage {
  private language: Language = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
  private messages: Messages = messagesFor(this.language);
  private dayChart: Chart | undefined;
  private technicianChart: Chart | undefined;
  private last: Stats | undefined;

  start(): void {
    const today = new Date();
    const monthAgo = new Date(today.getTime() - 29 * 86_400_000);
    $<HTMLInputElement>('stats-from').value = isoDay(monthAgo);
    $<HTMLInputElement>('stats-to').value = isoDay(today);
    $<HTMLFormElement>('stats-filter').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.load();
    });
    for (const lang of ['es', 'en'] as const) $(`lang-${lang}`).addEventListener('click', () => this.setLanguage(lang));
    this.setLanguage(this.language);
    void this.load(true);
  }

  private setLanguage(language: Language): void {
    this.language = language;
    this.messages = messagesFor(language);
    document.documentElement.lang = language;
    document.title = `CompuEasys · ${this.messages.statsTitle}`;
    applyTranslations(document, this.messages);
    if (this.last !== undefined) this.render(this.last);
  }

  private query(): string {
    const params = new URLSearchParams({ from: $<HTMLInputElement>('stats-from').value, to: $<HTMLInputElement>('stats-to').value });
    const technician = $<HTMLSelectElement>('stats-technician').value;
    if (technician !== '*') params.set('technician', technician);
    return params.toString();
  }

  private async load(first = false): Promise<void> {
    const query = first ? new URLSearchParams({ from: $<HTMLInputElement>('stats-from').value, to: $<HTMLInputElement>('stats-to').value }).toString() : this.query();
    const response = await fetch(`/api/account/stats?${query}`, { credentials: 'same-origin' });
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      $('stats-view').hidden = true;
      const denied = $('stats-denied');
      denied.hidden = false;
      denied.textContent = this.messages.statsDenied;
      return;
    }
    if (!response.ok) return;
    const stats = (await response.json()) as Stats;
    $('stats-view').hidden = false;
    if (first) this.fillTechnicians(stats);
    $<HTMLAnchorElement>('stats-csv').href = `/api/account/stats.csv?${query}`;
    this.last = stats;
    this.render(stats);
    document.body.dataset.loaded = 'true';
  }

  private fillTechnicians(stats: Stats): void {
    const select = $<HTMLSelectElement>('stats-technician');
    const all = document.createElement('option');
    all.value = '*';
    all.textContent = this.messages.statsAllTechnicians;
    select.replaceChildren(all, ...stats.perTechnician.map((t) => {
      const option = document.createElement('option');
      option.value = t.technician;
      option.textContent = t.technician || this.messages.statsAnonymous;
      return option;
    }));
  }

  private render(stats: Stats): void {
    const t = this.messages;
    $('total-sessions').textContent = String(stats.overall.sessions);
    $('total-helped').textContent = String(stats.overall.helped);
    $('total-median').textContent = formatDuration(stats.overall.medianMs);
    $('total-longest').textContent = formatDuration(stats.overall.longestMs);
    $('total-abandoned').textContent = String(stats.abandoned);
    $('total-refused').textContent = String(stats.refused);
    $('stats-technicians').replaceChildren(...stats.perTechnician.map((p) => {
      const row = document.createElement('tr');
      for (const text of [p.technician || t.statsAnonymous, String(p.sessions), formatDuration(p.medianMs), formatDuration(p.longestMs)]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }));
    this.dayChart?.destroy();
    this.dayChart = new Chart($<HTMLCanvasElement>('chart-days'), {
      type: 'bar',
      data: {
        labels: stats.perDay.map((d) => d.day),
        datasets: [
          { label: t.statsSessions, data: stats.perDay.map((d) => d.sessions), backgroundColor: '#0b4f9c' },
          { label: t.statsHelped, data: stats.perDay.map((d) => d.helped), backgroundColor: '#f5a623' },
        ],
      },
      options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    this.technicianChart?.destroy();
    this.technicianChart = new Chart($<HTMLCanvasElement>('chart-technicians'), {
      type: 'bar',
      data: {
        labels: stats.perTechnician.map((p) => p.technician || t.statsAnonymous),
        datasets: [{ label: t.statsSessions, data: stats.perTechnician.map((p) => p.sessions), backgroundColor: '#0b4f9c' }],
      },
      options: { animation: false, indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => new StatsPage().start());
else new StatsPage().start();
