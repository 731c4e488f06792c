import type { ScreenInfoMessage } from '../../protocol';
import { byId } from './dom';
import { formatMessage, type Messages } from './messages';

/** One entry of the picker: the display's id and its words. */
export interface DisplayOption {
  readonly id: number;
  readonly label: string;
}

/**
 * The picker's entries for a `screen-info`: id 0 is every monitor at once, the others are
 * numbered as the customer's system orders them, the main one said so. Empty when there
 * is nothing to pick (one display).
 */
export function displayOptions(info: Pick<ScreenInfoMessage, 'displays'>, messages: Messages): DisplayOption[] {
  if (info.displays.length < 2) return [];
  let n = 0;
  return info.displays.map((d) => {
    const size = { width: d.width, height: d.height };
    if (d.id === 0) return { id: d.id, label: formatMessage(messages.displayAll, size) };
    n++;
    return { id: d.id, label: formatMessage(d.primary ? messages.displayMonitorPrimary : messages.displayMonitor, { n, ...size }) };
  });
}

/**
 * The toolbar's choice of monitor, shown only while the customer has several to pick
 * from. Choosing one asks the customer's side; the picker then follows what its next
 * `screen-info` says is streamed, not what was clicked.
 */
export class DisplayPicker {
  private readonly field = byId('display-field');
  private readonly select = byId<HTMLSelectElement>('display-select');
  private info: ScreenInfoMessage | undefined;

  constructor(private readonly onPick: (id: number) => void) {
    this.select.addEventListener('change', () => {
      const id = Number(this.select.value);
      if (Number.isInteger(id)) this.onPick(id);
    });
  }

  /** What the customer's side streams now (undefined: the session ended). */
  show(info: ScreenInfoMessage | undefined, messages: Messages): void {
    this.info = info;
    const options = info === undefined ? [] : displayOptions(info, messages);
    this.field.hidden = options.length === 0;
    this.select.replaceChildren(...options.map((o) => {
      const option = document.createElement('option');
      option.value = String(o.id);
      option.textContent = o.label;
      return option;
    }));
    if (info !== undefined) this.select.value = String(info.streaming);
  }

  /** The language changed: the same entries in the new words. */
  relabel(messages: Messages): void {
    this.show(this.info, messages);
  }
}
