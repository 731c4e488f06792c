import pino from 'pino';
import type { AgentDeps } from '../../client/agent';
import type { InputSink } from '../../client/input/input-sink';
import type { NativeKey } from '../../client/input/native-key';
import { FakeRectEncoder } from '../../client/test/support/fake-rect-encoder';
import { FakeScreenSource } from '../../client/test/support/fake-screen-source';

/**
 * Stands in for the mouse and keyboard: records every call. Tests that run the real agent
 * against a relay use it; the desktop tests use the real mouse and keyboard instead.
 */
export class RecordingSink implements InputSink {
  readonly log: string[] = [];
  async screenSize() { return { width: 640, height: 480 }; }
  async move(x: number, y: number) { this.log.push(`move ${x},${y}`); }
  async button(b: string, down: boolean) { this.log.push(`${b} ${down ? 'down' : 'up'}`); }
  async scroll(dx: number, dy: number) { this.log.push(`scroll ${dx},${dy}`); }
  async key(k: NativeKey, down: boolean) { this.log.push(`key ${k} ${down ? 'down' : 'up'}`); }
  async typeText(t: string) { this.log.push(`type ${t}`); }
  async close() {}
}

/** The hardware half of the agent's dependencies, faked: what the machine is, not how the agent behaves. */
export interface FakeHardware {
  /** A 640×480 screen in one solid colour, as big as the sink says the screen is. */
  readonly screen: FakeScreenSource;
  readonly sink: RecordingSink;
  /** Spread into createAgent's argument, next to consent, onState and any tuning. */
  readonly deps: Pick<AgentDeps, 'relayUrl' | 'name' | 'source' | 'encoder' | 'sink' | 'logger'>;
}

/** The real agent's machine, faked, for an agent that connects to `relayUrl` as PC-MARIA. */
export function fakeHardware(relayUrl: string, sink = new RecordingSink()): FakeHardware {
  const screen = new FakeScreenSource(640, 480);
  screen.paint({ x: 0, y: 0, width: 640, height: 480 }, [20, 40, 60]);
  return {
    screen,
    sink,
    deps: { relayUrl, name: 'PC-MARIA', source: screen, encoder: new FakeRectEncoder(), sink, logger: pino({ level: 'silent' }) },
  };
}
