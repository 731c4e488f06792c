import pino from 'pino';
import type { AgentDeps } from '../../client/agent';
import { FakeRectEncoder } from '../../client/test/support/fake-rect-encoder';
import { FakeScreenSource } from '../../client/test/support/fake-screen-source';
import { RecordingSink } from '../../client/test/support/recording-sink';

/** The mouse and keyboard stand-in: records every call (the agent's unit tests use it too). */
export { RecordingSink };

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
