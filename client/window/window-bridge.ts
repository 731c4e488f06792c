import type { Logger } from 'pino';
import type { Agent } from '../agent';
import type { ConsentAnswer } from '../contract/ui-events';
import type { ChatHooks, ConsentRequest } from '../session/client-session';
import type { AgentState } from '../session/session-state';
import { errorText, type WindowAttention } from './attention/window-attention';
import { WindowFiles } from './window-files';
import type { CustomerFiles } from '../files/customer-files';
import {
  CHAT_EVENT, COMMAND_EVENT, decodeUiCommand, FILES_EVENT, STATE_EVENT,
  type ChatUpdate, type CodeNotice, type UiCommand, type UiEnvelope, type UiState,
} from '../contract/ui-events';

/**
 * Chat lines the bridge keeps for a page that (re)loads during a session: a long talk,
 * and never more (the technician cannot grow the agent's memory without end).
 */
export const MAX_CHAT_LINES = 1000;

/** Where the bridge's events go: every page listening on one channel. */
export interface UiPort {
  send(envelope: UiEnvelope): void;
}

/** What the agent factory gets from the bridge: the customer's answers and the state changes. */
export interface AgentHooks {
  readonly consent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  readonly onState: (state: AgentState) => void;
  /** The window's side of the chat. */
  readonly chat: ChatHooks;
  /** The technician started or stopped recording the session. */
  readonly onRecording: (recording: boolean) => void;
  /** The window's side of file transfer; absent when the agent offers none. */
  readonly files?: CustomerFiles;
}

export interface WindowBridgeDeps {
  readonly logger: Logger;
  /**
   * Builds the agent (screen, encoder, mouse and keyboard, relay session) the first time
   * the customer clicks "Connect": the window is up at once, and a machine whose screen
   * cannot be captured says so in the window instead of failing before it shows.
   */
  readonly createAgent: (hooks: AgentHooks) => Promise<Agent>;
  /** Answer every technician this way without asking (unattended machines, tests). */
  readonly autoAnswer?: ConsentAnswer;
  /** Monotonic milliseconds, for the countdowns (tests pass a fake). */
  readonly now?: () => number;
  /**
   * Draws the customer's eye to the window while a technician's question stands (the
   * urgency hint, the taskbar flash). Best effort: never waited for.
   */
  readonly attention?: WindowAttention;
  /** Files from and to the technician (where they go, the largest); absent: none offered. */
  readonly files?: { readonly downloadsFolder: string; readonly maxFileBytes: number };
}

interface PendingConsent {
  readonly finish: (answer: ConsentAnswer, answered: boolean) => void;
}

/** The state of the bridge's own, before the relay session exists or when it cannot. */
type OwnState = Extract<UiState, { kind: 'connecting' | 'failed' | 'ended' }>;

/**
 * The agent's side of the customer's window: turns each AgentState of the relay session
 * into a `agent:state` event for the page, and each command of the page (connect, new
 * code, the answer to a technician, stop) into a call on the ClientSession. It holds the
 * one open consent question, so that the page's answer reaches the session, and a
 * question that no longer stands (timeout, technician gone) is closed.
 */
export class WindowBridge {
  private readonly ports = new Set<UiPort>();
  private readonly now: () => number;
  private agent: Agent | undefined;
  private creating: Promise<Agent | undefined> | undefined;
  private state: AgentState = { kind: 'idle' };
  private stateAt: number;
  private own: OwnState | undefined;
  private notice: CodeNotice | undefined;
  private pending: PendingConsent | undefined;
  /** How the last question was closed: answered (and how) or not. */
  private lastAnswer: ConsentAnswer | 'none' = 'none';
  private stopRequested = false;
  private closed = false;
  /** Whether the desktop was asked for attention and not yet told the question ended. */
  private attentionAsked = false;
  /** The technician records the session: the sharing state says so. */
  private recording = false;
  /** The chat of this session, as the page shows it: whether it is open, which one, and its last lines. */
  private chatAvailable = false;
  private chatNumber = 0;
  private chatLineCount = 0;
  private readonly chatLines: Extract<ChatUpdate, { kind: 'line' }>[] = [];

  /** The customer's file questions and the transfers' progress, for the page. */
  private readonly files: WindowFiles | undefined;

  constructor(private readonly deps: WindowBridgeDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.stateAt = this.now();
    const files = deps.files;
    this.files = files === undefined || files.maxFileBytes === 0 ? undefined
      : new WindowFiles(files.downloadsFolder, files.maxFileBytes, (update) => {
        const envelope: UiEnvelope = { event: FILES_EVENT, data: update };
        for (const port of this.ports) port.send(envelope);
      });
  }

  /** Starts sending events to `port`; returns the function that stops it. */
  attach(port: UiPort): () => void {
    this.ports.add(port);
    return () => { this.ports.delete(port); };
  }

  /** The relay session, once the customer connected for the first time. */
  get session(): Agent['session'] | undefined {
    return this.agent?.session;
  }

  /** What the page shows now. */
  get uiState(): UiState {
    if (this.own) return this.own;
    const elapsed = Math.max(0, this.now() - this.stateAt);
    const s = this.state;
    switch (s.kind) {
      case 'idle':
      case 'connecting':
        return { kind: s.kind };
      case 'code': {
        // The session knows why when keys did not verify; a refusal the bridge saw itself.
        const notice = s.notice ?? this.notice;
        return { kind: 'code', code: s.code, remainingMs: Math.max(0, Math.round(s.ttlMs - elapsed)), ttlMs: s.ttlMs, ...(notice ? { notice } : {}) };
      }
      case 'consent':
        return {
          kind: 'consent', technicianName: s.technicianName, remainingMs: Math.max(0, Math.round(s.timeoutMs - elapsed)), timeoutMs: s.timeoutMs, encrypted: s.encrypted,
          ...(s.verified === true ? { verified: true } : {}),
        };
      case 'sharing':
        return {
          kind: 'sharing', technicianName: s.technicianName, viewOnly: s.viewOnly, elapsedMs: Math.round(elapsed), encrypted: s.encrypted,
          ...(this.recording ? { recording: true } : {}),
          ...(s.technicianReconnecting === true ? { technicianReconnecting: true } : {}),
        };
      case 'ended':
        return { kind: 'ended', by: s.by, reason: s.reason };
      case 'reconnecting':
        return { kind: 'reconnecting', remainingMs: Math.max(0, Math.round(s.inMs - elapsed)), attempt: s.attempt, reason: s.reason, ...(s.resuming === true ? { resuming: true } : {}) };
      case 'failed':
        return { kind: 'failed', code: s.code, message: s.message };
      default: {
        const unreachable: never = s;
        return unreachable;
      }
    }
  }

  /** Sends the current state to every page. */
  publish(): void {
    const envelope: UiEnvelope = { event: STATE_EVENT, data: this.uiState };
    for (const port of this.ports) port.send(envelope);
  }

  /** One message from a page: commands are decoded and carried out; anything else is ignored. */
  handleEnvelope(envelope: UiEnvelope): void {
    if (envelope.event !== COMMAND_EVENT) return;
    const command = decodeUiCommand(envelope.data);
    if (command === undefined) {
      this.deps.logger.warn('ignored a malformed command from the window');
      return;
    }
    this.handleCommand(command);
  }

  handleCommand(command: UiCommand): void {
    if (this.closed) return;
    switch (command.command) {
      case 'hello':
        this.publish();
        this.files?.replay();
        return this.replayChat();
      case 'file-answer':
        return this.files?.answer(command.question, command.accept);
      case 'file-pick':
        return this.files?.pick(command.question, command.path);
      case 'file-cancel':
        return void this.agent?.session.cancelFile(command.id);
      case 'chat':
        // Shown once the session took it: a line the technician will never get is not shown as sent.
        if (this.agent?.session.sendChat(command.text) === true) this.addChatLine('customer', command.text);
        return;
      case 'connect':
        return this.connect();
      case 'new-code':
        return this.agent?.session.newCode();
      case 'consent':
        return this.pending?.finish(command.answer, true);
      case 'stop':
        return void this.stop();
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  /** The consent prompt handed to the ClientSession: the window asks, the page answers. */
  readonly consent = (request: ConsentRequest): Promise<ConsentAnswer> => {
    this.pending?.finish('deny', false);
    this.lastAnswer = 'none';
    const auto = this.deps.autoAnswer;
    if (auto !== undefined) {
      this.lastAnswer = auto;
      return Promise.resolve(auto);
    }
    return new Promise<ConsentAnswer>((resolve) => {
      const entry: PendingConsent = {
        finish: (answer, answered) => {
          if (this.pending !== entry) return;
          this.pending = undefined;
          request.signal.removeEventListener('abort', onAbort);
          if (answered) this.lastAnswer = answer;
          resolve(answer);
        },
      };
      // The question no longer stands (timeout, technician gone, stop): close it, denying.
      const onAbort = (): void => entry.finish('deny', false);
      this.pending = entry;
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort);
    });
  };

  /** The technician started or stopped recording: the window says so at once. */
  readonly onRecording = (recording: boolean): void => {
    this.recording = recording;
    this.publish();
  };

  /** What the session says of the chat. */
  readonly chat: ChatHooks = {
    onMessage: (text) => this.addChatLine('technician', text),
    onAvailable: (available) => {
      this.chatAvailable = available;
      // A new session's chat starts empty; the old talk stays shown until then.
      if (available) {
        this.chatNumber++;
        this.chatLineCount = 0;
        this.chatLines.length = 0;
      }
      this.publishChat({ kind: 'available', available, chat: this.chatNumber });
    },
  };

  /** Every state change of the relay session. */
  readonly onState = (next: AgentState): void => {
    const previous = this.state.kind;
    this.own = undefined;
    this.notice = next.kind === 'code' && previous === 'consent'
      ? (this.lastAnswer === 'deny' ? 'denied' : 'unanswered') : undefined;
    this.state = next;
    this.stateAt = this.now();
    if (next.kind !== 'consent') this.pending?.finish('deny', false);
    this.publish();
    this.askForAttention(next.kind === 'consent');
  };

  /** "Stop sharing": ends whatever is going on at once; the technician is told by the relay. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.pending?.finish('deny', false);
    if (this.agent) {
      await this.agent.session.stop();
      return;
    }
    if (this.creating) return; // connect() sees stopRequested and shows the end
    this.setOwn({ kind: 'ended', by: 'customer', reason: 'cancelled' });
  }

  /** Stops sharing and frees the screen and the input devices. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending?.finish('deny', false);
    this.askForAttention(false);
    try {
      this.deps.attention?.close();
    } catch (err) {
      this.deps.logger.debug({ err: errorText(err) }, 'closing the attention request failed');
    }
    const agent = this.agent ?? await this.creating;
    if (agent) await agent.close();
    this.ports.clear();
  }

  private connect(): void {
    const kind = this.own?.kind ?? this.state.kind;
    if (kind === 'connecting' || kind === 'code' || kind === 'consent' || kind === 'sharing' || kind === 'reconnecting') return;
    this.stopRequested = false;
    if (this.agent) {
      this.agent.session.connect();
      return;
    }
    if (this.creating) return;
    this.setOwn({ kind: 'connecting' });
    this.creating = this.deps.createAgent({
      consent: this.consent, onState: this.onState, chat: this.chat, onRecording: this.onRecording,
      ...(this.files !== undefined ? { files: this.files } : {}),
    }).then((agent) => {
      this.creating = undefined;
      if (this.closed) {
        void agent.close();
        return undefined;
      }
      this.agent = agent;
      if (this.stopRequested) this.setOwn({ kind: 'ended', by: 'customer', reason: 'cancelled' });
      else agent.session.connect();
      return agent;
    }, (err: unknown) => {
      this.creating = undefined;
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.error({ err: message }, 'the agent could not start');
      this.setOwn({ kind: 'failed', code: 'agent-unavailable', message: message.slice(0, 500) });
      return undefined;
    });
  }

  /**
   * Asks for attention when a question comes up and withdraws it when it goes, once each
   * (a repeated state changes nothing), without waiting: the page's question is already
   * out, and nothing the desktop does may hold up or break the consent flow.
   */
  private askForAttention(ask: boolean): void {
    const attention = this.deps.attention;
    if (attention === undefined || ask === this.attentionAsked) return;
    this.attentionAsked = ask;
    try {
      void (ask ? attention.request() : attention.clear()).catch((err: unknown) => {
        this.deps.logger.debug({ err: errorText(err) }, 'asking for attention failed');
      });
    } catch (err) {
      this.deps.logger.debug({ err: errorText(err) }, 'asking for attention failed');
    }
  }

  private addChatLine(from: 'technician' | 'customer', text: string): void {
    const line = { kind: 'line', n: ++this.chatLineCount, from, text } as const;
    this.chatLines.push(line);
    if (this.chatLines.length > MAX_CHAT_LINES) this.chatLines.shift();
    this.publishChat(line);
  }

  private publishChat(update: ChatUpdate): void {
    const envelope: UiEnvelope = { event: CHAT_EVENT, data: update };
    for (const port of this.ports) port.send(envelope);
  }

  /** A page that just loaded: the chat as it stands. */
  private replayChat(): void {
    this.publishChat({ kind: 'available', available: this.chatAvailable, chat: this.chatNumber });
    for (const line of this.chatLines) this.publishChat(line);
  }

  private setOwn(state: OwnState): void {
    this.own = state;
    this.publish();
  }
}
