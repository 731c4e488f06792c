import { join } from 'node:path';
import pino from 'pino';
import { createAgent, type Agent } from '../../client/agent';
import { LocalPageServer } from '../../client/window/local-page-server';
import { WindowBridge, type AgentHooks } from '../../client/window/window-bridge';
import type { ConsentAnswer } from '../../client/contract/ui-events';
import { fakeHardware, RecordingSink } from '../support/fake-hardware';

/** The built window page (`npm run build`). */
export const PAGE_DIR = join(__dirname, '../../dist/client-app');

/**
 * The real agent (ClientSession, streamer, injector) on a fake screen, encoder and input
 * sink. `created` sees each agent the bridge builds, so a test can wait for its injector.
 */
export function fakeHardwareAgent(relayUrl: string, sink: RecordingSink, created?: (agent: Agent) => void): (hooks: AgentHooks) => Promise<Agent> {
  return async (hooks) => {
    const agent = await createAgent({
      ...fakeHardware(relayUrl, sink).deps,
      consent: hooks.consent, onState: hooks.onState, chat: hooks.chat, onRecording: hooks.onRecording,
      ...(hooks.files !== undefined ? { files: hooks.files } : {}),
      backoff: { initialDelayMs: 300, maxDelayMs: 1000, factor: 2, jitter: 0 },
      streamer: { minFrameIntervalMs: 20, maxIdleIntervalMs: 50 },
      renewExpiredCode: false,
    });
    created?.(agent);
    return agent;
  };
}

/** The agent's side of the browser window: the real bridge and the real local page server. */
export interface WindowUnderTest {
  readonly bridge: WindowBridge;
  readonly server: LocalPageServer;
  readonly sink: RecordingSink;
  /** The agent the bridge built, once the page has asked it to connect. */
  agent(): Agent | undefined;
  close(): Promise<void>;
}

export async function startWindow(relayUrl: string, extra: { autoAnswer?: ConsentAnswer } = {}): Promise<WindowUnderTest> {
  const sink = new RecordingSink();
  const logger = pino({ level: 'silent' });
  let agent: Agent | undefined;
  const bridge = new WindowBridge({ logger, createAgent: fakeHardwareAgent(relayUrl, sink, (a) => { agent = a; }), ...extra });
  const server = await LocalPageServer.start({ pageDir: PAGE_DIR, logger, onEnvelope: (e) => bridge.handleEnvelope(e) });
  bridge.attach(server);
  return {
    bridge, server, sink,
    agent: () => agent,
    async close() {
      await bridge.close();
      await server.close();
    },
  };
}
