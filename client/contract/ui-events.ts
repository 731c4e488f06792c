/**
 * The small JSON events between the customer's window (the page) and the agent. The page
 * never talks to the relay: it shows what the agent says and sends the customer's choices
 * back. The same `{event, data}` envelope travels over both channels, because it is
 * exactly the shape of a Neutralino event:
 *
 * - Neutralino: the page calls `Neutralino.extensions.dispatch(id, event, data)` and the
 *   extension answers with the native call `app.broadcast({event, data})`;
 * - the browser fallback: one JSON text message `{event, data}` each way on the agent's
 *   local WebSocket.
 *
 * This file runs in Node and in the browser alike: no Node modules, no DOM (the import
 * rules keep it so, see docs/ARCHITECTURE.md). Everything a channel receives is decoded
 * here, once, and never throws (a bad message is `undefined`).
 */

import { isChatText } from '../../protocol';

/** The customer's answer to a technician: full control, watching only, or no. */
export type ConsentAnswer = 'control' | 'view-only' | 'deny';

/** The event name of agent → page messages. */
export const STATE_EVENT = 'agent:state';
/** The event name of page → agent messages. */
export const COMMAND_EVENT = 'ui:command';
/** The event name of the chat, agent → page: one {@link ChatUpdate} each. */
export const CHAT_EVENT = 'agent:chat';
/** The event name of files, agent → page: one {@link FileUpdate} each. */
export const FILES_EVENT = 'agent:files';
/** The agent's extension id in neutralino.config.json. */
export const NEUTRALINO_EXTENSION_ID = 'com.compueasys.agent';

/**
 * Why a fresh code is shown right after a technician tried: the customer said no, did
 * not answer, the connection could not be verified (a mistyped code, or someone
 * interfering), it could not be encrypted end to end and this agent refuses that, or the
 * connection dropped and the relay forgot the old code.
 */
export type CodeNotice = 'denied' | 'unanswered' | 'unverified' | 'unencrypted-refused' | 'reconnected';

const CODE_NOTICES: readonly CodeNotice[] = Object.freeze(['denied', 'unanswered', 'unverified', 'unencrypted-refused', 'reconnected']);

/**
 * What the window shows. Durations are relative ("remaining", "elapsed") and measured by
 * the agent when it sends them, so the page counts down on its own clock: the two clocks
 * never have to agree.
 */
export type UiState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'code'; readonly code: string; readonly remainingMs: number; readonly ttlMs: number; readonly notice?: CodeNotice }
  /** `encrypted`: the keys were verified end to end (and the name came sealed); false: in clear, say so. */
  /** `verified`: the relay vouches that the technician signed in to a CompuEasys account of this name. */
  | { readonly kind: 'consent'; readonly technicianName: string; readonly remainingMs: number; readonly timeoutMs: number; readonly encrypted: boolean; readonly verified?: true }
  /**
   * `recording`: the technician is recording the session; the window says so for the whole time.
   * `technicianReconnecting`: the technician's page dropped; the session waits for it.
   */
  | { readonly kind: 'sharing'; readonly technicianName: string; readonly viewOnly: boolean; readonly elapsedMs: number; readonly encrypted: boolean; readonly recording?: boolean; readonly technicianReconnecting?: boolean }
  | { readonly kind: 'ended'; readonly by: 'technician' | 'customer' | 'relay'; readonly reason: string }
  /** `resuming`: the session is kept, and this is a try to come back into it. */
  | { readonly kind: 'reconnecting'; readonly remainingMs: number; readonly attempt: number; readonly reason: string; readonly resuming?: boolean }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

/** What the customer can ask of the agent. `hello` asks for the current state (a page that just loaded). */
export type UiCommand =
  | { readonly command: 'hello' }
  | { readonly command: 'connect' }
  | { readonly command: 'new-code' }
  | { readonly command: 'consent'; readonly answer: ConsentAnswer }
  | { readonly command: 'stop' }
  /** A chat message the customer wrote, for the technician. */
  | { readonly command: 'chat'; readonly text: string }
  /** The customer's answer to a file the technician offers. */
  | { readonly command: 'file-answer'; readonly question: number; readonly accept: boolean }
  /** The file the customer picked for the technician's request (a path from the window's file dialog), or none. */
  | { readonly command: 'file-pick'; readonly question: number; readonly path?: string }
  /** The customer cancels a transfer. */
  | { readonly command: 'file-cancel'; readonly id: number };

/** How a transfer ended, as the window says it (FileTransfers' outcomes). */
export const FILE_OUTCOMES = Object.freeze(['saved', 'sent', 'declined', 'cancelled', 'cancelled-by-peer', 'corrupt', 'failed', 'refused', 'ended'] as const);
export type FileOutcome = (typeof FILE_OUTCOMES)[number];

/**
 * Files, agent → page: a question for the customer (a file offered, a file asked for), a
 * question that no longer stands, a transfer's progress, a transfer's end. Questions are
 * numbered by the agent; a page that loads during a session is sent the open ones again.
 */
export type FileUpdate =
  | { readonly kind: 'offer'; readonly question: number; readonly name: string; readonly size: number }
  | { readonly kind: 'pick'; readonly question: number }
  | { readonly kind: 'closed'; readonly question: number }
  | { readonly kind: 'progress'; readonly id: number; readonly direction: 'send' | 'receive'; readonly name: string; readonly bytes: number; readonly total: number;
    readonly bytesPerSecond: number; readonly secondsLeft?: number }
  | { readonly kind: 'finished'; readonly id: number; readonly direction: 'send' | 'receive'; readonly name: string; readonly outcome: FileOutcome };

const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

function isBytes(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A files update for the page, checked member by member; `undefined` for anything else. */
export function decodeFileUpdate(data: unknown): FileUpdate | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.kind) {
    case 'offer':
      return isCount(data.question) && isText(data.name, MAX_FILE_NAME) && isBytes(data.size)
        ? { kind: 'offer', question: data.question, name: data.name, size: data.size } : undefined;
    case 'pick':
    case 'closed':
      return isCount(data.question) ? { kind: data.kind, question: data.question } : undefined;
    case 'progress': {
      if (!isCount(data.id) || (data.direction !== 'send' && data.direction !== 'receive') || !isText(data.name, MAX_FILE_NAME)) return undefined;
      if (!isBytes(data.bytes) || !isBytes(data.total) || !isBytes(data.bytesPerSecond)) return undefined;
      if (data.secondsLeft !== undefined && !(typeof data.secondsLeft === 'number' && Number.isFinite(data.secondsLeft) && data.secondsLeft >= 0)) return undefined;
      return {
        kind: 'progress', id: data.id, direction: data.direction, name: data.name, bytes: data.bytes, total: data.total, bytesPerSecond: data.bytesPerSecond,
        ...(data.secondsLeft === undefined ? {} : { secondsLeft: data.secondsLeft as number }),
      };
    }
    case 'finished': {
      const outcome = FILE_OUTCOMES.find((o) => o === data.outcome);
      if (!isCount(data.id) || (data.direction !== 'send' && data.direction !== 'receive') || !isText(data.name, MAX_FILE_NAME) || outcome === undefined) return undefined;
      return { kind: 'finished', id: data.id, direction: data.direction, name: data.name, outcome };
    }
    default:
      return undefined;
  }
}

/** Who wrote a line of the chat. */
export type ChatAuthor = 'technician' | 'customer';

/**
 * The chat, agent → page, one change at a time (a whole session's talk would not fit in
 * one event): it opened or closed, or one more line. A page that just loaded asks with
 * `hello` and gets the state, then the chat as it stands, line by line; every page hears
 * that replay, so it is made to be harmless twice: `chat` names the session's chat (a new
 * one starts empty) and `n` numbers its lines from 1 (a page skips those it has).
 */
export type ChatUpdate =
  | { readonly kind: 'available'; readonly available: boolean; readonly chat: number }
  | { readonly kind: 'line'; readonly n: number; readonly from: ChatAuthor; readonly text: string };

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The envelope on both channels. */
export interface UiEnvelope {
  readonly event: string;
  readonly data: unknown;
}

const MAX_TEXT = 512;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, max = MAX_TEXT): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 7 * 24 * 3600_000;
}

/** Parses one text message of a channel into an envelope; `undefined` when it is not one. */
export function parseEnvelope(text: string): UiEnvelope | undefined {
  if (text.length > 64 * 1024) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.event !== 'string' || value.event.length > 128) return undefined;
  return { event: value.event, data: value.data };
}

/** A page command, checked member by member; `undefined` for anything else. */
export function decodeUiCommand(data: unknown): UiCommand | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.command) {
    case 'hello':
    case 'connect':
    case 'new-code':
    case 'stop':
      return { command: data.command };
    case 'consent':
      return data.answer === 'control' || data.answer === 'view-only' || data.answer === 'deny'
        ? { command: 'consent', answer: data.answer } : undefined;
    case 'chat':
      return typeof data.text === 'string' && isChatText(data.text) ? { command: 'chat', text: data.text } : undefined;
    case 'file-answer':
      return isCount(data.question) && typeof data.accept === 'boolean' ? { command: 'file-answer', question: data.question, accept: data.accept } : undefined;
    case 'file-pick':
      if (!isCount(data.question)) return undefined;
      if (data.path === undefined) return { command: 'file-pick', question: data.question };
      return isText(data.path, MAX_PATH) && data.path.length > 0 ? { command: 'file-pick', question: data.question, path: data.path } : undefined;
    case 'file-cancel':
      return isCount(data.id) ? { command: 'file-cancel', id: data.id } : undefined;
    default:
      return undefined;
  }
}

/** A chat update for the page, checked member by member; `undefined` for anything else. */
export function decodeChatUpdate(data: unknown): ChatUpdate | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.kind) {
    case 'available':
      return typeof data.available === 'boolean' && isCount(data.chat) ? { kind: 'available', available: data.available, chat: data.chat } : undefined;
    case 'line':
      if ((data.from !== 'technician' && data.from !== 'customer') || typeof data.text !== 'string' || !isChatText(data.text) || !isCount(data.n)) return undefined;
      return { kind: 'line', n: data.n, from: data.from, text: data.text };
    default:
      return undefined;
  }
}

/** An agent state for the page, checked member by member; `undefined` for anything else. */
export function decodeUiState(data: unknown): UiState | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.kind) {
    case 'idle':
    case 'connecting':
      return { kind: data.kind };
    case 'code': {
      if (typeof data.code !== 'string' || !/^[0-9]{6,12}$/.test(data.code) || !isDuration(data.remainingMs) || !isDuration(data.ttlMs)) return undefined;
      const notice = CODE_NOTICES.find((n) => n === data.notice);
      return { kind: 'code', code: data.code, remainingMs: data.remainingMs, ttlMs: data.ttlMs, ...(notice ? { notice } : {}) };
    }
    case 'consent':
      if (!isText(data.technicianName, 64) || !isDuration(data.remainingMs) || !isDuration(data.timeoutMs) || typeof data.encrypted !== 'boolean') return undefined;
      if (data.verified !== undefined && data.verified !== true) return undefined;
      return {
        kind: 'consent', technicianName: data.technicianName, remainingMs: data.remainingMs, timeoutMs: data.timeoutMs, encrypted: data.encrypted,
        ...(data.verified === true ? { verified: true } : {}),
      };
    case 'sharing':
      if (!isText(data.technicianName, 64) || typeof data.viewOnly !== 'boolean' || !isDuration(data.elapsedMs) || typeof data.encrypted !== 'boolean') return undefined;
      if (data.recording !== undefined && typeof data.recording !== 'boolean') return undefined;
      if (data.technicianReconnecting !== undefined && data.technicianReconnecting !== true) return undefined;
      return {
        kind: 'sharing', technicianName: data.technicianName, viewOnly: data.viewOnly, elapsedMs: data.elapsedMs, encrypted: data.encrypted,
        ...(data.recording === true ? { recording: true } : {}),
        ...(data.technicianReconnecting === true ? { technicianReconnecting: true } : {}),
      };
    case 'ended':
      if ((data.by !== 'technician' && data.by !== 'customer' && data.by !== 'relay') || !isText(data.reason)) return undefined;
      return { kind: 'ended', by: data.by, reason: data.reason };
    case 'reconnecting':
      if (!isDuration(data.remainingMs) || typeof data.attempt !== 'number' || !Number.isInteger(data.attempt) || data.attempt < 0 || !isText(data.reason)) return undefined;
      if (data.resuming !== undefined && data.resuming !== true) return undefined;
      return { kind: 'reconnecting', remainingMs: data.remainingMs, attempt: data.attempt, reason: data.reason, ...(data.resuming === true ? { resuming: true } : {}) };
    case 'failed':
      if (!isText(data.code, 64) || !isText(data.message)) return undefined;
      return { kind: 'failed', code: data.code, message: data.message };
    default:
      return undefined;
  }
}
