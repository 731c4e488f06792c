import { createAgent, type Agent } from '../agent';
import { agentTuning, openAgentHardware, type AgentHardwareConfig } from '../agent-hardware';
import type { AgentHooks } from './window-bridge';

/** What the window's entry points read from the command line and the environment. */
export type RealAgentConfig = AgentHardwareConfig;

/**
 * The agent on the real screen, mouse and keyboard, for the window: the same adapters as
 * the terminal agent. An expired code is not renewed by itself: the window shows that it
 * expired and lets the customer ask for a new one.
 */
export async function createRealAgent(config: RealAgentConfig, hooks: AgentHooks): Promise<Agent> {
  const { options, logger } = config;
  const hardware = await openAgentHardware(config);
  return createAgent({
    relayUrl: options.relayUrl,
    name: options.name,
    ...hardware,
    logger,
    consent: hooks.consent,
    onState: hooks.onState,
    chat: hooks.chat,
    onRecording: hooks.onRecording,
    ...(hooks.files !== undefined ? { files: hooks.files } : {}),
    renewExpiredCode: false,
    ...agentTuning(options),
  });
}
