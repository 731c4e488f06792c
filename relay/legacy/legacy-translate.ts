import {
  decodeObject, splitTextForEvents, type ControlMessage, type InputEvent,
} from '../../protocol';

/**
 * Translation between the old system's JSON messages and the protocol, done once at the
 * edge so legacy and WebSocket peers can share a session. The legacy forms are listed
 * in the README ("Legacy API"); unknown actions pass untouched only between two legacy
 * peers, where no translation is needed.
 */
export type LegacyObject = Readonly<Record<string, unknown>>;
export type LegacySender = 'client' | 'technician' | 'relay';

export interface LegacyEnvelope {
  readonly sender: LegacySender;
  readonly message: LegacyObject;
}

/** Protocol input event → the old client's action message. */
export function inputToLegacy(event: InputEvent): LegacyObject {
  switch (event.kind) {
    case 'pointer-move':
      return { action: 'mouse_move', x: event.x, y: event.y };
    case 'button-down':
      return { action: 'mouse_down', x: event.x, y: event.y, button: event.button };
    case 'button-up':
      return { action: 'mouse_up', x: event.x, y: event.y, button: event.button };
    case 'click':
      return { action: 'mouse_click', x: event.x, y: event.y, button: event.button };
    case 'double-click':
      return { action: 'double_click', x: event.x, y: event.y, button: event.button };
    case 'wheel':
      return { action: 'scroll', x: event.x, y: event.y, dx: event.dx, dy: event.dy };
    case 'key-down':
      return { action: 'key_down', key: event.key, code: event.code, modifiers: event.modifiers };
    case 'key-up':
      return { action: 'key_up', key: event.key, code: event.code, modifiers: event.modifiers };
    case 'text':
      return { action: 'type_text', text: event.text };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function round(v: unknown): unknown {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : v;
}

const NO_MODS = { ctrl: false, alt: false, shift: false, meta: false };

/** The raw events an old technician's action stands for, before validation. */
function candidates(m: LegacyObject): Record<string, unknown>[] | undefined {
  const x = round(m.x);
  const y = round(m.y);
  const button = m.button ?? 'left';
  const modifiers = m.modifiers ?? NO_MODS;
  const code = m.code ?? '';
  switch (m.action) {
    case 'mouse_move': return [{ kind: 'pointer-move', x, y }];
    case 'mouse_down': return [{ kind: 'button-down', x, y, button }];
    case 'mouse_up': return [{ kind: 'button-up', x, y, button }];
    case 'mouse_click': return [{ kind: m.double === true ? 'double-click' : 'click', x, y, button }];
    case 'double_click': return [{ kind: 'double-click', x, y, button }];
    case 'scroll': return [{ kind: 'wheel', x, y, dx: round(m.dx ?? 0), dy: round(m.dy ?? m.amount ?? 0) }];
    case 'key_down': return [{ kind: 'key-down', key: m.key, code, modifiers }];
    case 'key_up': return [{ kind: 'key-up', key: m.key, code, modifiers }];
    case 'key_press': return [{ kind: 'key-down', key: m.key, code, modifiers }, { kind: 'key-up', key: m.key, code, modifiers }];
    case 'type_text':
    case 'send_text':
      return typeof m.text === 'string' && m.text.length > 0 ? splitTextForEvents(m.text).map((text) => ({ kind: 'text', text })) : undefined;
    default: return undefined;
  }
}

/** An old technician's action → protocol input events, validated by the protocol codec. */
export function legacyToInputs(m: LegacyObject): InputEvent[] | undefined {
  const raw = candidates(m);
  if (raw === undefined) return undefined;
  const events: InputEvent[] = [];
  for (const event of raw) {
    const decoded = decodeObject({ type: 'input', seq: 0, event });
    if (!decoded.ok || decoded.message.type !== 'input') return undefined;
    events.push(decoded.message.event);
  }
  return events;
}

/**
 * What a legacy peer is told of a protocol message, or undefined when it has no
 * legacy meaning (it then is not queued at all).
 */
export function controlToLegacy(message: ControlMessage): LegacyEnvelope | undefined {
  switch (message.type) {
    case 'input':
      return { sender: 'technician', message: inputToLegacy(message.event) };
    case 'screen-info': {
      const shown = message.displays.find((d) => d.id === message.streaming) ?? message.displays[0];
      return { sender: 'client', message: { type: 'screen_info', width: shown?.width, height: shown?.height, displays: message.displays } };
    }
    case 'paired':
      return { sender: 'relay', message: { type: 'paired', view_only: message.viewOnly, peer_name: message.peer.name } };
    case 'waiting-consent':
      return { sender: 'relay', message: { type: 'waiting_consent', timeout_ms: message.timeoutMs } };
    case 'peer-left':
      return { sender: 'relay', message: { type: 'peer_left', reason: message.reason } };
    case 'error':
      return { sender: 'relay', message: { type: 'error', code: message.code, message: message.message } };
    case 'refresh':
    case 'quality':
    case 'hello':
    case 'welcome':
    case 'register':
    case 'code':
    case 'join':
    case 'consent-request':
    case 'consent':
    case 'bye':
      return undefined;
    // A legacy peer cannot seal, so it is never in a session that agrees on keys or seals.
    case 'e2e-start':
    case 'e2e-share':
    case 'e2e-confirm':
    case 'e2e-failed':
    case 'introduce':
    case 'sealed':
    // The customer's cursor and the choice of monitor travel only sealed, between peers that asked for them.
    case 'cursor-shape':
    case 'cursor-pos':
    case 'select-display':
    case 'chat':
    case 'clipboard':
    case 'clipboard-request':
    case 'recording-started':
    case 'recording-stopped':
    // A legacy peer never says it can resume, so it is never sent these.
    case 'resume-token':
    case 'resume':
    case 'resumed':
    case 'peer-away':
    case 'peer-back':
    case 'ack':
    case 'file-offer':
    case 'file-request':
    case 'file-accept':
    case 'file-decline':
    case 'file-resume':
    case 'file-ack':
    case 'file-end':
    case 'file-saved':
    case 'file-cancel':
      return undefined;
    default: {
      const unreachable: never = message;
      return unreachable;
    }
  }
}
