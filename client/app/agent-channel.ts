import type { UiCommand, UiEnvelope } from '../contract/ui-events';

/** Whether the page can reach the agent right now. */
export type ChannelStatus = 'open' | 'closed';

export interface ChannelListeners {
  /** One event from the agent (already an `{event, data}` envelope). */
  readonly onEvent: (envelope: UiEnvelope) => void;
  /** The way to the agent opened (the page then says hello) or was lost. */
  readonly onStatus: (status: ChannelStatus) => void;
}

/**
 * How the page talks to the agent: the page never talks to the relay. Two
 * implementations: Neutralino extension events (the native window) and a WebSocket to
 * the agent's local server (the browser fallback).
 */
export interface AgentChannel {
  readonly kind: 'neutralino' | 'websocket';
  start(listeners: ChannelListeners): void;
  send(command: UiCommand): void;
}
