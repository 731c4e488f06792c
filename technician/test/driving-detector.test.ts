import { DrivingDetector, type DrivingTimers } from '../core/input/driving-detector';

/** Timers run by hand. */
class HandTimers implements DrivingTimers {
  private pending = new Map<number, () => void>();
  private next = 1;

  setTimeout(fn: () => void): unknown {
    const handle = this.next++;
    this.pending.set(handle, fn);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  runAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const fn of due) fn();
  }
}

function setup() {
  const element = new EventTarget() as unknown as HTMLElement;
  const timers = new HandTimers();
  const changes: boolean[] = [];
  const detector = new DrivingDetector({ element, onChange: (d) => changes.push(d), idleMs: 1500, timers });
  const fire = (type: string): void => { element.dispatchEvent(new Event(type)); };
  return { detector, timers, changes, fire };
}

describe('whether the technician drives the customer\'s pointer', () => {
  it('drives while moving over the screen, and stops once still for the idle time or on leaving', () => {
    const { detector, timers, changes, fire } = setup();
    detector.setEnabled(true);
    fire('pointermove');
    fire('pointermove');
    expect(changes).toEqual([true]);
    expect(timers.count).toBe(1); // each move restarts the one idle timer
    timers.runAll();
    expect(changes).toEqual([true, false]);
    fire('pointerdown');
    fire('pointerleave');
    expect(changes).toEqual([true, false, true, false]);
    expect(timers.count).toBe(0);
  });

  it('never drives when input is off (view-only), and turning it off ends driving', () => {
    const { detector, changes, fire } = setup();
    fire('pointermove');
    fire('wheel');
    expect(changes).toEqual([]);
    detector.setEnabled(true);
    fire('pointermove');
    detector.setEnabled(false);
    expect(changes).toEqual([true, false]);
    expect(detector.isDriving).toBe(false);
    detector.dispose();
  });
});
