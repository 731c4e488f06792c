import { AckSchedule, InboundRecordFilter, ResendBuffer, ResumeKeeper, type AckTimers, type SealedMessage } from '../index';

const record = (n: number, boxLength = 22): SealedMessage => ({ type: 'sealed', inner: 'input', n, box: 'A'.repeat(boxLength) });

/** Timers run by hand: a test says when time passes. */
class ManualTimers implements AckTimers {
  private pending = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.pending]) {
      if (t.at <= this.now) {
        this.pending.delete(id);
        t.fn();
      }
    }
  }
  get count(): number {
    return this.pending.size;
  }
}

describe('ResendBuffer: what one side sent and the other has not acknowledged', () => {
  test('keeps records in order and forgets those acknowledged; an older acknowledgement changes nothing', () => {
    const buffer = new ResendBuffer();
    for (let n = 0; n < 5; n++) expect(buffer.hold(record(n))).toBe(true);
    expect(buffer.acknowledge(3)).toBe(true);
    expect(buffer.unacknowledged().map((r) => r.n)).toEqual([3, 4]);
    expect(buffer.acknowledge(1)).toBe(true);
    expect(buffer.unacknowledged().map((r) => r.n)).toEqual([3, 4]);
    expect(buffer.acknowledge(5)).toBe(true);
    expect(buffer.count).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  test('an acknowledgement of records never sent is refused and forgets nothing', () => {
    const buffer = new ResendBuffer();
    // Before anything was kept (the records sent before the session could resume), any is taken.
    expect(buffer.acknowledge(1)).toBe(true);
    buffer.hold(record(0));
    buffer.hold(record(1));
    expect(buffer.acknowledge(3)).toBe(false);
    expect(buffer.count).toBe(2);
  });

  test('is bounded in count and in bytes: the record that does not fit is refused', () => {
    const byCount = new ResendBuffer(3, 1_000_000);
    for (let n = 0; n < 3; n++) expect(byCount.hold(record(n))).toBe(true);
    expect(byCount.hold(record(3))).toBe(false);
    expect(byCount.count).toBe(3);
    const byBytes = new ResendBuffer(100, 400); // a record costs its box and 64
    expect(byBytes.hold(record(0, 100))).toBe(true);
    expect(byBytes.hold(record(1, 100))).toBe(true);
    expect(byBytes.hold(record(2, 100))).toBe(false);
    // Acknowledged records make room again.
    byBytes.acknowledge(1);
    expect(byBytes.hold(record(2, 100))).toBe(true);
  });
});

describe('AckSchedule: when the receiver says how far it got', () => {
  test('after 32 records at once, or 200 ms after the first one not acknowledged', () => {
    const timers = new ManualTimers();
    const sent: number[] = [];
    const acks = new AckSchedule((n) => sent.push(n), timers);
    for (let n = 1; n <= 31; n++) acks.received(n);
    expect(sent).toEqual([]);
    acks.received(32);
    expect(sent).toEqual([32]);
    acks.received(33);
    timers.advance(199);
    expect(sent).toEqual([32]);
    timers.advance(1);
    expect(sent).toEqual([32, 33]);
    expect(timers.count).toBe(0);
  });

  test('flush says it now, even with nothing new (after a resume); stop ends it for good', () => {
    const timers = new ManualTimers();
    const sent: number[] = [];
    const acks = new AckSchedule((n) => sent.push(n), timers);
    acks.flush();
    acks.received(4);
    acks.flush();
    expect(sent).toEqual([0, 4]);
    acks.received(5);
    acks.stop();
    timers.advance(1000);
    acks.flush();
    expect(sent).toEqual([0, 4]);
  });
});

describe('InboundRecordFilter: copies after a resume are dropped, gaps are not hidden', () => {
  test('a record below the next expected is a copy: dropped', () => {
    const filter = new InboundRecordFilter();
    expect(filter.admit(3, 5)).toBe('drop');
    expect(filter.admit(5, 5)).toBe('open');
  });

  test('outside a resume, a record ahead is opened (and the record layer refuses the gap)', () => {
    expect(new InboundRecordFilter().admit(7, 5)).toBe('open');
  });

  test('right after a resume, records ahead are dropped until the expected one arrives; then gaps count again', () => {
    const filter = new InboundRecordFilter();
    filter.resumed();
    expect(filter.admit(7, 5)).toBe('drop');
    expect(filter.admit(8, 5)).toBe('drop');
    expect(filter.admit(4, 5)).toBe('drop');
    expect(filter.admit(5, 5)).toBe('open');
    expect(filter.admit(9, 6)).toBe('open');
  });
});

describe('ResumeKeeper', () => {
  test('may resume with a credential within the grace period of the first drop; retries do not extend it', () => {
    let now = 1000;
    const keeper = new ResumeKeeper(() => undefined, new ManualTimers(), () => now);
    expect(keeper.mayResume).toBe(false);
    keeper.credential('t1', 500);
    expect(keeper.mayResume).toBe(true);
    keeper.dropped();
    now += 300;
    keeper.dropped();
    expect(keeper.mayResume).toBe(true);
    now += 200;
    expect(keeper.mayResume).toBe(false);
    keeper.back();
    expect(keeper.mayResume).toBe(true);
    keeper.credential('t2', 500);
    expect(keeper.currentCredential).toBe('t2');
  });
});
