import pino from 'pino';
import type { Agent } from '../../client/agent';
import type { ConsentAnswer } from '../../client/contract/ui-events';
import {
  CHAT_EVENT, decodeChatUpdate, decodeUiCommand, decodeUiState, parseEnvelope, STATE_EVENT, type UiEnvelope, type UiState,
} from '../../client/contract/ui-events';
import { MAX_CHAT_LINES, WindowBridge, type AgentHooks } from '../../client/window/window-bridge';

const logger = pino({ level: 'silent' });

/** A stand-in for the agent that records what the bridge asks of its session. */
function stubAgent(calls: string[]): Agent {
  return {
    session: {
      connect: () => calls.push('connect'),
      newCode: () => calls.push('new-code'),
      stop: async () => { calls.push('stop'); },
      // The session takes a chat line only when the test says a chat is open.
      sendChat: (text: string) => { calls.push(`chat ${text}`); return !text.startsWith('refused'); },
      current: { kind: 'idle' },
    },
    injector: {},
    close: async () => { calls.push('close'); },
  } as unknown as Agent;
}

function harness(createAgent: (hooks: AgentHooks) => Promise<Agent>, extra: { autoAnswer?: ConsentAnswer } = {}) {
  let now = 1000;
  const sent: UiEnvelope[] = [];
  const bridge = new WindowBridge({ logger, createAgent, now: () => now, ...extra });
  bridge.attach({ send: (e) => sent.push(e) });
  return {
    bridge,
    sent,
    advance: (ms: number) => { now += ms; },
    last: (): UiState => sent.at(-1)!.data as UiState,
  };
}

describe('window events (page ⇄ agent): decoded once, never thrown on', () => {
  test('commands', () => {
    expect(decodeUiCommand({ command: 'connect' })).toEqual({ command: 'connect' });
    expect(decodeUiCommand({ command: 'consent', answer: 'view-only', extra: 1 })).toEqual({ command: 'consent', answer: 'view-only' });
    for (const bad of [null, 'connect', [], {}, { command: 'consent' }, { command: 'consent', answer: 'yes' }, { command: 'rm -rf' }]) {
      expect(decodeUiCommand(bad)).toBeUndefined();
    }
  });

  test('states', () => {
    expect(decodeUiState({ kind: 'code', code: '385621', remainingMs: 5, ttlMs: 600_000, notice: 'denied' }))
      .toEqual({ kind: 'code', code: '385621', remainingMs: 5, ttlMs: 600_000, notice: 'denied' });
    expect(decodeUiState({ kind: 'sharing', technicianName: 'Juan', viewOnly: true, elapsedMs: 10, encrypted: true })).toMatchObject({ viewOnly: true });
    for (const bad of [null, { kind: 'code', code: '12345', remainingMs: 1, ttlMs: 1 }, { kind: 'code', code: '123456', remainingMs: -1, ttlMs: 1 },
      { kind: 'sharing', technicianName: 'x'.repeat(65), viewOnly: false, elapsedMs: 0 }, { kind: 'ended', by: 'nobody', reason: '' },
      { kind: 'consent', technicianName: 'J', remainingMs: Infinity, timeoutMs: 1 }, { kind: 'dancing' }]) {
      expect(decodeUiState(bad)).toBeUndefined();
    }
  });

  test('envelopes', () => {
    expect(parseEnvelope('{"event":"ui:command","data":{"command":"stop"}}')).toEqual({ event: 'ui:command', data: { command: 'stop' } });
    for (const bad of ['', '{', '[]', '"x"', '{"data":1}', '{"event":5}', `{"event":"${'e'.repeat(200)}"}`]) expect(parseEnvelope(bad)).toBeUndefined();
  });
});

describe('the window bridge', () => {
  test('maps each agent state to what the page shows, with durations left measured when sent', async () => {
    const calls: string[] = [];
    let hooks: AgentHooks | undefined;
    const h = harness(async (x) => { hooks = x; return stubAgent(calls); });
    h.bridge.handleEnvelope({ event: 'ui:command', data: { command: 'hello' } });
    // The state, then the chat as it stands: none yet.
    expect(h.sent).toEqual([{ event: STATE_EVENT, data: { kind: 'idle' } }, { event: CHAT_EVENT, data: { kind: 'available', available: false, chat: 0 } }]);

    h.bridge.handleCommand({ command: 'connect' });
    expect(h.last()).toEqual({ kind: 'connecting' });
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['connect']);

    hooks!.onState({ kind: 'connecting' });
    hooks!.onState({ kind: 'code', code: '385621', expiresAt: 0, ttlMs: 600_000 });
    expect(h.last()).toEqual({ kind: 'code', code: '385621', remainingMs: 600_000, ttlMs: 600_000 });
    h.advance(90_000);
    h.bridge.publish();
    expect(h.last()).toMatchObject({ kind: 'code', remainingMs: 510_000 });

    const answer = hooks!.consent({ technicianName: 'Juan (CompuEasys)', timeoutMs: 60_000, encrypted: true, verified: false, signal: new AbortController().signal });
    hooks!.onState({ kind: 'consent', technicianName: 'Juan (CompuEasys)', timeoutMs: 60_000, encrypted: true });
    h.advance(15_000);
    h.bridge.publish();
    expect(h.last()).toEqual({ kind: 'consent', technicianName: 'Juan (CompuEasys)', remainingMs: 45_000, timeoutMs: 60_000, encrypted: true });
    h.bridge.handleEnvelope({ event: 'ui:command', data: { command: 'consent', answer: 'view-only' } });
    await expect(answer).resolves.toBe('view-only');

    hooks!.onState({ kind: 'sharing', technicianName: 'Juan (CompuEasys)', viewOnly: true, since: Date.now(), encrypted: true });
    h.advance(61_000);
    h.bridge.publish();
    expect(h.last()).toEqual({ kind: 'sharing', technicianName: 'Juan (CompuEasys)', viewOnly: true, elapsedMs: 61_000, encrypted: true });

    hooks!.onState({ kind: 'reconnecting', inMs: 4000, attempt: 3, reason: 'network' });
    h.advance(1000);
    h.bridge.publish();
    expect(h.last()).toEqual({ kind: 'reconnecting', remainingMs: 3000, attempt: 3, reason: 'network' });

    h.bridge.handleCommand({ command: 'new-code' });
    h.bridge.handleCommand({ command: 'stop' });
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['connect', 'new-code', 'stop']);
    await h.bridge.close();
    expect(calls.at(-1)).toBe('close');
  });

  test('after a question, the new code says whether the customer denied or nobody answered', async () => {
    let hooks: AgentHooks | undefined;
    const h = harness(async (x) => { hooks = x; return stubAgent([]); });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    const ask = (): Promise<ConsentAnswer> => {
      const abort = new AbortController();
      const p = hooks!.consent({ technicianName: 'Juan', timeoutMs: 60_000, encrypted: true, verified: false, signal: abort.signal });
      hooks!.onState({ kind: 'consent', technicianName: 'Juan', timeoutMs: 60_000, encrypted: true });
      (ask as { abort?: AbortController }).abort = abort;
      return p;
    };
    hooks!.onState({ kind: 'connecting' });
    hooks!.onState({ kind: 'code', code: '111111', expiresAt: 0, ttlMs: 1000 });

    const denied = ask();
    h.bridge.handleCommand({ command: 'consent', answer: 'deny' });
    await expect(denied).resolves.toBe('deny');
    hooks!.onState({ kind: 'code', code: '222222', expiresAt: 0, ttlMs: 1000 });
    expect(h.last()).toMatchObject({ code: '222222', notice: 'denied' });

    const unanswered = ask();
    (ask as { abort?: AbortController }).abort!.abort(); // the relay's timeout
    await expect(unanswered).resolves.toBe('deny');
    hooks!.onState({ kind: 'code', code: '333333', expiresAt: 0, ttlMs: 1000 });
    expect(h.last()).toMatchObject({ code: '333333', notice: 'unanswered' });

    // A code asked for by the customer carries no notice; a late answer changes nothing.
    hooks!.onState({ kind: 'code', code: '444444', expiresAt: 0, ttlMs: 1000 });
    expect(h.last()).not.toHaveProperty('notice');
    h.bridge.handleCommand({ command: 'consent', answer: 'control' });
  });

  test('an agent that cannot start (no screen to capture) shows as failed, and "try again" tries again', async () => {
    let attempts = 0;
    const h = harness(async () => {
      attempts++;
      if (attempts === 1) throw new Error('no screen source works on this machine');
      return stubAgent([]);
    });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    expect(h.last()).toEqual({ kind: 'failed', code: 'agent-unavailable', message: 'no screen source works on this machine' });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(2);
  });

  test('stop from any state: before the agent exists, and while it is being built (it then never connects); nothing was shared, so it is a cancel', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const h = harness(() => new Promise<Agent>((resolve) => { release = () => resolve(stubAgent(calls)); }));
    h.bridge.handleCommand({ command: 'stop' });
    expect(h.last()).toEqual({ kind: 'ended', by: 'customer', reason: 'cancelled' });

    h.bridge.handleCommand({ command: 'connect' });
    expect(h.last()).toEqual({ kind: 'connecting' });
    h.bridge.handleCommand({ command: 'stop' });
    release();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
    expect(h.last()).toEqual({ kind: 'ended', by: 'customer', reason: 'cancelled' });

    // Connecting again later works with the agent already built.
    h.bridge.handleCommand({ command: 'connect' });
    expect(calls).toEqual(['connect']);
  });

  test('unattended: the fixed answer is given at once; malformed or foreign events are ignored', async () => {
    let hooks: AgentHooks | undefined;
    const h = harness(async (x) => { hooks = x; return stubAgent([]); }, { autoAnswer: 'view-only' });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    await expect(hooks!.consent({ technicianName: 'J', timeoutMs: 1000, encrypted: true, verified: false, signal: new AbortController().signal })).resolves.toBe('view-only');
    const before = h.sent.length;
    h.bridge.handleEnvelope({ event: 'ui:command', data: { command: 'format-disk' } });
    h.bridge.handleEnvelope({ event: 'agent:state', data: { kind: 'sharing' } });
    h.bridge.handleEnvelope({ event: 'clientConnect', data: 3 });
    expect(h.sent.length).toBe(before);
  });
});

describe('the window asks the desktop for attention while a technician asks', () => {
  /** A WindowAttention that records what it was asked; `hang` makes every call never finish. */
  function recordingAttention(options: { hang?: boolean; fail?: 'reject' | 'throw' } = {}) {
    const calls: string[] = [];
    const answer = (name: string): Promise<void> => {
      calls.push(name);
      if (options.fail === 'throw') throw new Error('X server gone');
      if (options.fail === 'reject') return Promise.reject(new Error('X server gone'));
      return options.hang ? new Promise<void>(() => undefined) : Promise.resolve();
    };
    return { calls, attention: { request: () => answer('request'), clear: () => answer('clear'), close: () => { calls.push('close'); } } };
  }

  async function connected(attention: ReturnType<typeof recordingAttention>['attention']) {
    let hooks: AgentHooks | undefined;
    const agentCalls: string[] = [];
    const sent: UiEnvelope[] = [];
    const bridge = new WindowBridge({ logger, createAgent: async (x) => { hooks = x; return stubAgent(agentCalls); }, attention });
    bridge.attach({ send: (e) => sent.push(e) });
    bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    hooks!.onState({ kind: 'connecting' });
    hooks!.onState({ kind: 'code', code: '385621', expiresAt: 0, ttlMs: 600_000 });
    const ask = (): Promise<ConsentAnswer> => {
      const answer = hooks!.consent({ technicianName: 'Juan', timeoutMs: 60_000, encrypted: true, verified: false, signal: new AbortController().signal });
      hooks!.onState({ kind: 'consent', technicianName: 'Juan', timeoutMs: 60_000, encrypted: true });
      return answer;
    };
    return { bridge, hooks: hooks!, ask, sent };
  }

  test('once when the question comes up, cleared once when it is answered; again for the next question', async () => {
    const { calls, attention } = recordingAttention();
    const { bridge, hooks, ask } = await connected(attention);
    expect(calls).toEqual([]); // a code on screen is no reason to call for the customer

    const first = ask();
    expect(calls).toEqual(['request']);
    hooks.onState({ kind: 'consent', technicianName: 'Juan', timeoutMs: 60_000, encrypted: true }); // the same question again
    expect(calls).toEqual(['request']);
    bridge.handleCommand({ command: 'consent', answer: 'control' });
    await expect(first).resolves.toBe('control');
    hooks.onState({ kind: 'sharing', technicianName: 'Juan', viewOnly: false, since: Date.now(), encrypted: true });
    expect(calls).toEqual(['request', 'clear']);
    hooks.onState({ kind: 'ended', by: 'technician', reason: 'bye' });
    expect(calls).toEqual(['request', 'clear']);

    // A denied question and an unanswered one (a fresh code follows each).
    hooks.onState({ kind: 'code', code: '111111', expiresAt: 0, ttlMs: 1000 });
    const second = ask();
    bridge.handleCommand({ command: 'consent', answer: 'deny' });
    await expect(second).resolves.toBe('deny');
    hooks.onState({ kind: 'code', code: '222222', expiresAt: 0, ttlMs: 1000 });
    void ask();
    hooks.onState({ kind: 'reconnecting', inMs: 1000, attempt: 1, reason: 'network' });
    expect(calls).toEqual(['request', 'clear', 'request', 'clear', 'request', 'clear']);
    await bridge.close();
    expect(calls).toEqual(['request', 'clear', 'request', 'clear', 'request', 'clear', 'close']);
  });

  test('closing the window during the question clears it once before closing', async () => {
    const { calls, attention } = recordingAttention();
    const { bridge, hooks, ask } = await connected(attention);
    void ask();
    await bridge.close();
    hooks.onState({ kind: 'ended', by: 'customer', reason: 'stopped' }); // the session's own end, after
    expect(calls).toEqual(['request', 'clear', 'close']);
  });

  test.each([
    ['never finishes', { hang: true }],
    ['rejects', { fail: 'reject' as const }],
    ['throws', { fail: 'throw' as const }],
  ])('an attention that %s neither delays nor breaks the question: it shows, the answer goes through', async (_name, options) => {
    const { calls, attention } = recordingAttention(options);
    const { bridge, hooks, ask, sent } = await connected(attention);
    const answer = ask();
    expect((sent.at(-1)!.data as UiState).kind).toBe('consent');
    bridge.handleCommand({ command: 'consent', answer: 'view-only' });
    await expect(answer).resolves.toBe('view-only');
    hooks.onState({ kind: 'sharing', technicianName: 'Juan', viewOnly: true, since: Date.now(), encrypted: true });
    expect((sent.at(-1)!.data as UiState).kind).toBe('sharing');
    expect(calls).toEqual(['request', 'clear']);
    await bridge.close();
  });
});

describe('the chat in the window', () => {
  test('chat commands and updates are decoded strictly', () => {
    expect(decodeUiCommand({ command: 'chat', text: '¿Sí? 👍' })).toEqual({ command: 'chat', text: '¿Sí? 👍' });
    for (const bad of [{ command: 'chat' }, { command: 'chat', text: '' }, { command: 'chat', text: 'x'.repeat(4001) }, { command: 'chat', text: 'a\ud800' }, { command: 'chat', text: 7 }]) {
      expect(decodeUiCommand(bad)).toBeUndefined();
    }
    expect(decodeChatUpdate({ kind: 'line', n: 3, from: 'technician', text: 'hola' })).toEqual({ kind: 'line', n: 3, from: 'technician', text: 'hola' });
    for (const bad of [{ kind: 'line', n: -1, from: 'technician', text: 'a' }, { kind: 'line', n: 1, from: 'relay', text: 'a' }, { kind: 'available', available: 'yes', chat: 1 }, { kind: 'available', available: true }]) {
      expect(decodeChatUpdate(bad)).toBeUndefined();
    }
  });

  test('a line the customer writes is shown once the session took it; a page that loads gets the chat as it stands, numbered, and a new chat starts empty', async () => {
    let hooks: AgentHooks | undefined;
    const calls: string[] = [];
    const h = harness(async (x) => { hooks = x; return stubAgent(calls); });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    const chat = (): unknown[] => h.sent.filter((e) => e.event === CHAT_EVENT).map((e) => e.data);
    hooks!.chat.onAvailable(true);
    hooks!.chat.onMessage('¿Reinicio?');
    h.bridge.handleEnvelope({ event: 'ui:command', data: { command: 'chat', text: 'Sí' } });
    h.bridge.handleEnvelope({ event: 'ui:command', data: { command: 'chat', text: 'refused by the session' } });
    expect(calls).toEqual(['connect', 'chat Sí', 'chat refused by the session']);
    expect(chat()).toEqual([
      { kind: 'available', available: true, chat: 1 },
      { kind: 'line', n: 1, from: 'technician', text: '¿Reinicio?' },
      { kind: 'line', n: 2, from: 'customer', text: 'Sí' },
    ]);
    h.sent.length = 0;
    h.bridge.handleCommand({ command: 'hello' });
    expect(chat()).toEqual([
      { kind: 'available', available: true, chat: 1 },
      { kind: 'line', n: 1, from: 'technician', text: '¿Reinicio?' },
      { kind: 'line', n: 2, from: 'customer', text: 'Sí' },
    ]);
    hooks!.chat.onAvailable(false);
    hooks!.chat.onAvailable(true);
    h.sent.length = 0;
    h.bridge.handleCommand({ command: 'hello' });
    expect(chat()).toEqual([{ kind: 'available', available: true, chat: 2 }]);
  });

  test('keeps at most MAX_CHAT_LINES lines for a page that loads later', async () => {
    let hooks: AgentHooks | undefined;
    const h = harness(async (x) => { hooks = x; return stubAgent([]); });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    hooks!.chat.onAvailable(true);
    for (let i = 0; i < MAX_CHAT_LINES + 50; i++) hooks!.chat.onMessage(`line ${i}`);
    h.sent.length = 0;
    h.bridge.handleCommand({ command: 'hello' });
    const lines = h.sent.filter((e) => e.event === CHAT_EVENT && (e.data as { kind: string }).kind === 'line');
    expect(lines).toHaveLength(MAX_CHAT_LINES);
    expect(lines[0]!.data).toMatchObject({ n: 51, text: 'line 50' });
  });
});

describe('a verified technician in the window', () => {
  test('the question says the technician is verified only when the agent says so; a page is never told verified: false', async () => {
    let hooks: AgentHooks | undefined;
    const h = harness(async (x) => { hooks = x; return stubAgent([]); });
    h.bridge.handleCommand({ command: 'connect' });
    await new Promise((r) => setImmediate(r));
    hooks!.onState({ kind: 'consent', technicianName: 'Ana López (CompuEasys)', timeoutMs: 60_000, encrypted: true, verified: true });
    expect(h.last()).toMatchObject({ kind: 'consent', technicianName: 'Ana López (CompuEasys)', verified: true });
    hooks!.onState({ kind: 'consent', technicianName: 'Alguien', timeoutMs: 60_000, encrypted: true });
    expect(h.last()).not.toHaveProperty('verified');
    expect(decodeUiState({ kind: 'consent', technicianName: 'X', remainingMs: 1, timeoutMs: 1, encrypted: true, verified: false })).toBeUndefined();
    expect(decodeUiState({ kind: 'consent', technicianName: 'X', remainingMs: 1, timeoutMs: 1, encrypted: true, verified: true })).toMatchObject({ verified: true });
  });
});
