import type { InputEvent, Modifiers } from '../../protocol';
import { CoordinateMapper } from '../input/coordinate-mapper';
import { InputInjector } from '../input/input-injector';
import type { InputSink } from '../input/input-sink';
import type { NativeKey } from '../input/native-key';

/** Records what would have happened to the mouse and keyboard. */
class RecordingSink implements InputSink {
  readonly name = 'recording';
  log: string[] = [];
  failNext = false;
  async screenSize() { return { width: 1000, height: 500 }; }
  async move(x: number, y: number) { this.log.push(`move ${x},${y}`); }
  async button(b: string, down: boolean) { this.log.push(`${b} ${down ? 'down' : 'up'}`); }
  async scroll(dx: number, dy: number) { this.log.push(`scroll ${dx},${dy}`); }
  async key(k: NativeKey, down: boolean) {
    if (this.failNext) { this.failNext = false; throw new Error('boom'); }
    this.log.push(`key ${k} ${down ? 'down' : 'up'}`);
  }
  async typeText(t: string) { await new Promise((r) => setTimeout(r, 1)); this.log.push(`type ${t}`); }
  async close() {}
}

const M: Modifiers = { ctrl: false, alt: false, shift: false, meta: false };

function setup(mode: 'off' | 'view-only' | 'control' = 'control') {
  const sink = new RecordingSink();
  const injector = new InputInjector(sink, new CoordinateMapper(2000, 1000, 1000, 500));
  injector.setMode(mode);
  return { sink, injector };
}

describe('InputInjector', () => {
  test('refuses everything before consent and in view-only sessions', async () => {
    for (const mode of ['off', 'view-only'] as const) {
      const { sink, injector } = setup(mode);
      expect(injector.inject({ kind: 'click', button: 'left', x: 1, y: 1 })).toBe('refused');
      expect(injector.inject({ kind: 'text', text: 'x' })).toBe('refused');
      await injector.idle();
      expect(sink.log).toEqual([]);
    }
  });

  test('tells its listener after each event reached the sink (so the streamer looks for the echo), never for a refused one', async () => {
    const sink = new RecordingSink();
    const seen: string[] = [];
    const injector = new InputInjector(sink, new CoordinateMapper(1000, 500, 1000, 500), undefined, () => seen.push(sink.log.at(-1) ?? ''));
    injector.inject({ kind: 'click', button: 'left', x: 1, y: 1 });
    await injector.idle();
    expect(seen).toEqual([]); // mode 'off': refused, nothing applied
    injector.setMode('control');
    injector.inject({ kind: 'click', button: 'left', x: 1, y: 1 });
    injector.inject({ kind: 'text', text: 'a' });
    await injector.idle();
    expect(seen).toEqual(['left up', 'type a']); // after the sink had it, not when queued
  });

  test('applies events in order, mapping captured pixels to the sink\'s space', async () => {
    const { sink, injector } = setup();
    const events: InputEvent[] = [
      { kind: 'pointer-move', x: 200, y: 100 },
      { kind: 'click', button: 'right', x: 400, y: 300 },
      { kind: 'text', text: 'hola' },
      { kind: 'double-click', button: 'left', x: 10, y: 10 },
      { kind: 'wheel', x: 0, y: 0, dx: -1, dy: 3 },
      { kind: 'button-down', button: 'left', x: 0, y: 0 },
      { kind: 'pointer-move', x: 100, y: 100 },
      { kind: 'button-up', button: 'left', x: 100, y: 100 },
    ];
    for (const e of events) injector.inject(e);
    await injector.idle();
    expect(sink.log).toEqual([
      'move 100,50', 'move 200,150', 'right down', 'right up', 'type hola',
      'move 5,5', 'left down', 'left up', 'left down', 'left up',
      'move 0,0', 'scroll -1,3', 'move 0,0', 'left down', 'move 50,50', 'move 50,50', 'left up',
    ]);
  });

  test('Shift+Home presses the keys; a typed character lifts a held Shift around it', async () => {
    const { sink, injector } = setup();
    injector.inject({ kind: 'key-down', code: 'ShiftLeft', key: 'Shift', modifiers: { ...M, shift: true } });
    injector.inject({ kind: 'key-down', code: 'Home', key: 'Home', modifiers: { ...M, shift: true } });
    injector.inject({ kind: 'key-up', code: 'Home', key: 'Home', modifiers: { ...M, shift: true } });
    injector.inject({ kind: 'key-down', code: 'Comma', key: ';', modifiers: { ...M, shift: true } });
    injector.inject({ kind: 'key-up', code: 'ShiftLeft', key: 'Shift', modifiers: M });
    await injector.idle();
    expect(sink.log).toEqual([
      'key LeftShift down', 'key Home down', 'key Home up',
      'key LeftShift up', 'type ;', 'key LeftShift down',
      'key LeftShift up',
    ]);
  });

  test('releases held modifiers and buttons when the session ends, and then refuses input', async () => {
    const { sink, injector } = setup();
    injector.inject({ kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: { ...M, ctrl: true } });
    injector.inject({ kind: 'key-down', code: 'AltLeft', key: 'Alt', modifiers: { ...M, ctrl: true, alt: true } });
    injector.inject({ kind: 'button-down', button: 'left', x: 0, y: 0 });
    await injector.idle();
    await injector.releaseAll();
    expect(sink.log.slice(-3).sort()).toEqual(['key LeftAlt up', 'key LeftControl up', 'left up']);
    expect(injector.inject({ kind: 'key-down', code: 'KeyA', key: 'a', modifiers: M })).toBe('refused');
  });

  test('events queued before the session ended are not applied after it', async () => {
    const { sink, injector } = setup();
    injector.inject({ kind: 'text', text: 'first' });
    injector.inject({ kind: 'text', text: 'second' });
    injector.setMode('off');
    await injector.idle();
    expect(sink.log).toEqual([]);
  });

  test('a failing sink call is counted and the next events still apply', async () => {
    const { sink, injector } = setup();
    sink.failNext = true;
    injector.inject({ kind: 'key-down', code: 'Enter', key: 'Enter', modifiers: M });
    injector.inject({ kind: 'key-down', code: 'Tab', key: 'Tab', modifiers: M });
    await injector.idle();
    expect(injector.failures).toBe(1);
    expect(sink.log).toEqual(['key Tab down']);
  });
});
