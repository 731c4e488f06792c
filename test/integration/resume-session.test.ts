import { Errors, FrameFlag, MAX_UNACKED_RECORDS } from '../../protocol';
import type { AgentDeps } from '../../client/agent';
import type { RelayOptions } from '../../relay/options';
import type { Relay } from '../../relay/server';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { eventually, startTestRelay } from '../support/relay-harness';
import * as peers from '../support/session-peers';
import { codeOf, connected, typed, type Customer, type Technician } from '../support/session-peers';

/**
 * Resume end to end (issue 14 item 1): the real agent (screen and input faked) and the
 * real page's session (TechnicianSession over a real WebSocket) through a real relay on
 * port 0. A TCP proxy in front of the relay cuts one side's connection without a close
 * frame, as a network change does, and refuses new connections until the test lets the
 * network come back.
 */
/* The ends of a session (test/support/session-peers.ts) with quick retries and a quick screen. */
function startCustomer(relayUrl: string, answer: 'control' | 'view-only' = 'control', extra: Pick<AgentDeps, 'chat' | 'onRecording'> = {}): Promise<Customer> {
  return peers.startCustomer(relayUrl, {
    answer, extra,
    backoff: { initialDelayMs: 20, maxDelayMs: 100, factor: 2, jitter: 0 },
    streamer: { minFrameIntervalMs: 5, maxIdleIntervalMs: 10 },
  });
}

function startTechnician(relayWsUrl: string, code: string): Technician {
  return peers.startTechnician(relayWsUrl, code, { backoff: { initialDelayMs: 20, maxDelayMs: 100, factor: 2, jitter: 0, maxRetries: 5 } });
}

describe('resume after a dropped connection (real agent, real page session, real relay)', () => {
  let relay: Relay;
  let proxy: CuttableProxy;
  let customer: Customer | undefined;
  let tech: Technician | undefined;
  afterEach(async () => {
    tech?.session.disconnect();
    await customer?.agent.close();
    customer = undefined;
    tech = undefined;
    await proxy.close();
    await relay.close();
  });

  async function setUp(options: Partial<RelayOptions> = {}, cut: 'customer' | 'technician' | 'both' = 'customer', answer: 'control' | 'view-only' = 'control',
    extra: Pick<AgentDeps, 'chat' | 'onRecording'> = {}): Promise<void> {
    relay = await startTestRelay(options);
    proxy = await startCuttableProxy(relay.wsUrl);
    customer = await startCustomer(cut !== 'technician' ? proxy.wsUrl : relay.wsUrl, answer, extra);
    tech = startTechnician(cut !== 'customer' ? proxy.wsUrl : relay.wsUrl, await codeOf(customer));
    await connected(customer, tech);
  }

  test('the customer\'s connection is cut mid-session: it comes back into the same session, without a new code or question, and every input sent meanwhile arrives once and in order', async () => {
    await setUp();
    const c = customer!;
    const t = tech!;
    expect(t.session.sendInput({ kind: 'text', text: 'antes' })).toBe(true);
    await eventually(() => typed(c.sink).length === 1, 5000, 'the first input');

    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.reconnecting === 'customer', 5000, 'the page to show the customer reconnecting');
    await eventually(() => c.agent.session.current.kind === 'reconnecting', 5000, 'the agent to notice');
    expect(c.agent.session.current).toMatchObject({ kind: 'reconnecting', resuming: true });
    // Typed while the customer is away: kept by the page, nothing reaches the machine yet.
    for (let i = 0; i < 20; i++) expect(t.session.sendInput({ kind: 'text', text: `durante ${i}` })).toBe(true);
    expect(typed(c.sink)).toEqual(['type antes']);

    const framesBefore = t.frames.length;
    proxy.refusing = false;
    await eventually(() => typed(c.sink).length === 21, 10_000, 'the input typed during the drop');
    expect(t.session.sendInput({ kind: 'text', text: 'después' })).toBe(true);
    await eventually(() => typed(c.sink).length === 22, 5000, 'the input after the return');
    expect(typed(c.sink)).toEqual(['type antes', ...Array.from({ length: 20 }, (_, i) => `type durante ${i}`), 'type después']);

    // The same session: one code, one question, sharing with control as before, the page connected again.
    expect(c.states.filter((s) => s.kind === 'code')).toHaveLength(1);
    expect(c.consentQuestions).toBe(1);
    expect(c.agent.session.current).toMatchObject({ kind: 'sharing', technicianName: 'Ana (CompuEasys)', viewOnly: false, encrypted: true });
    await eventually(() => t.session.reconnecting === undefined, 5000, 'the page to carry on');
    // Frames start over with a full update.
    await eventually(() => t.frames.slice(framesBefore).some((flags) => (flags & FrameFlag.FULL) !== 0), 5000, 'a full update after the return');
    expect(t.snapshots.some((s) => s.state !== 'connected' && s.state !== 'connecting' && s.state !== 'waiting-consent')).toBe(false);
  });

  test('the chat and the recording notice outlive a drop: the chat stays open with what was said, a line written meanwhile arrives, the customer is still told of the recording', async () => {
    const chat = { opened: [] as boolean[], lines: [] as string[] };
    const recording: boolean[] = [];
    await setUp({}, 'customer', 'control', {
      chat: { onMessage: (text) => chat.lines.push(text), onAvailable: (open) => chat.opened.push(open) },
      onRecording: (on) => recording.push(on),
    });
    const c = customer!;
    const t = tech!;
    await eventually(() => t.session.canChat && t.session.canRecord, 5000, 'the chat and recording offered');
    expect(t.session.announceRecording(true)).toBe(true);
    expect(t.session.sendChat('antes')).toBe(true);
    await eventually(() => chat.lines.length === 1 && recording.length === 1, 5000, 'the first line and the notice');

    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => c.agent.session.current.kind === 'reconnecting', 5000, 'the agent to notice');
    expect(t.session.sendChat('durante la caída')).toBe(true);
    proxy.refusing = false;
    await eventually(() => chat.lines.length === 2, 10_000, 'the line written during the drop');
    await eventually(() => c.agent.session.current.kind === 'sharing', 5000, 'sharing again');
    expect(chat.lines).toEqual(['antes', 'durante la caída']);
    // Never closed nor hidden in between: the window would have emptied its chat, the customer lost the notice.
    expect(chat.opened).toEqual([true]);
    expect(recording).toEqual([true]);
    expect(c.agent.session.sendChat('de vuelta')).toBe(true);
  });

  test('past the grace period both sides end with the reason: the page with RS_ERR_RESUME_EXPIRED, the agent with resume-expired', async () => {
    await setUp({ resumeGraceMs: 300 });
    const c = customer!;
    const t = tech!;
    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.snapshot.state === 'ended', 5000, 'the page to end');
    expect(t.session.snapshot).toMatchObject({ state: 'ended', by: 'relay', errorCode: Errors.RESUME_EXPIRED.code });
    await eventually(() => c.agent.session.current.kind === 'ended', 5000, 'the agent to end');
    expect(c.agent.session.current).toMatchObject({ kind: 'ended', reason: 'resume-expired' });
    expect(c.sink.log.filter((line) => line.startsWith('type '))).toEqual([]);
  });

  test('the page\'s own connection is cut: the customer sees the technician reconnecting, the page resumes, and what it typed meanwhile arrives once and in order', async () => {
    await setUp({}, 'technician');
    const c = customer!;
    const t = tech!;
    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.reconnecting === 'technician', 5000, 'the page to notice');
    await eventually(() => c.agent.session.current.kind === 'sharing' && c.agent.session.current.technicianReconnecting === true, 5000, 'the agent to show the technician reconnecting');
    for (let i = 0; i < 5; i++) expect(t.session.sendInput({ kind: 'text', text: `sin red ${i}` })).toBe(true);
    proxy.refusing = false;
    await eventually(() => typed(c.sink).length === 5, 10_000, 'the input typed during the drop');
    expect(typed(c.sink)).toEqual(Array.from({ length: 5 }, (_, i) => `type sin red ${i}`));
    await eventually(() => t.session.reconnecting === undefined, 5000, 'the page back');
    await eventually(() => c.agent.session.current.kind === 'sharing' && c.agent.session.current.technicianReconnecting === undefined, 5000, 'the agent to carry on');
    expect(c.consentQuestions).toBe(1);
  });

  test('too much unacknowledged while the customer is away: the page ends the session cleanly with resend-overflow, and the customer, back, learns it ended', async () => {
    await setUp();
    const c = customer!;
    const t = tech!;
    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.reconnecting === 'customer', 5000, 'the customer away');
    for (let i = 0; i <= MAX_UNACKED_RECORDS; i++) expect(t.session.sendInput({ kind: 'pointer-move', x: i % 640, y: 1 })).toBe(true);
    // Sealing is asynchronous: the page ends once the record that does not fit comes out of the cipher.
    await eventually(() => t.session.snapshot.state === 'ended', 10_000, 'the page to end');
    expect(t.session.snapshot).toMatchObject({ state: 'ended', errorCode: 'resend-overflow' });
    expect(t.session.sendInput({ kind: 'pointer-move', x: 0, y: 0 })).toBe(false);
    proxy.refusing = false;
    await eventually(() => c.agent.session.current.kind === 'ended', 10_000, 'the agent to learn the session ended');
    expect(c.agent.session.current).toMatchObject({ kind: 'ended', reason: 'resume-expired' });
    expect(c.sink.log).toEqual([]);
  });

  test('a session the relay ends itself (its maximum age) is not resumed: the agent asks for a new code as before', async () => {
    await setUp({ maxSessionAgeMs: 1500 });
    const c = customer!;
    const t = tech!;
    await eventually(() => t.session.snapshot.state === 'ended', 10_000, 'the page to end');
    expect(t.session.snapshot).toMatchObject({ state: 'ended', errorCode: Errors.TIMEOUT_SESSION_AGE.code });
    await eventually(() => c.states.filter((s) => s.kind === 'code').length === 2, 10_000, 'a new code');
    expect(c.states.some((s) => s.kind === 'reconnecting' && s.resuming === true)).toBe(false);
  });

  test('a connection that goes silent without closing (heartbeats only): the relay and the agent both notice, and the agent resumes', async () => {
    await setUp({ heartbeatIntervalMs: 150 });
    const c = customer!;
    const t = tech!;
    proxy.stallAll();
    expect(t.session.sendInput({ kind: 'text', text: 'en el silencio' })).toBe(true);
    await eventually(() => t.session.reconnecting === 'customer', 5000, 'the relay to notice by heartbeat');
    await eventually(() => typed(c.sink).includes('type en el silencio'), 10_000, 'the input after the agent resumed');
    expect(typed(c.sink)).toEqual(['type en el silencio']);
    await eventually(() => t.session.reconnecting === undefined && c.agent.session.current.kind === 'sharing', 5000, 'both carrying on');
    expect(c.states.filter((s) => s.kind === 'code')).toHaveLength(1);
  });

  test('view-only stays view-only across a resume: the agent and the page both come back view-only, and no input is sent', async () => {
    await setUp({}, 'customer', 'view-only');
    const c = customer!;
    const t = tech!;
    expect(t.session.snapshot).toMatchObject({ state: 'connected', viewOnly: true });
    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.reconnecting === 'customer', 5000, 'the customer away');
    proxy.refusing = false;
    await eventually(() => t.session.reconnecting === undefined && c.agent.session.current.kind === 'sharing', 10_000, 'both back');
    expect(c.agent.session.current).toMatchObject({ kind: 'sharing', viewOnly: true });
    expect(t.session.snapshot).toMatchObject({ state: 'connected', viewOnly: true });
    expect(t.session.sendInput({ kind: 'text', text: 'no' })).toBe(false);
    expect(c.consentQuestions).toBe(1);
  });

  test('both connections cut at once: both come back, and what the page typed meanwhile arrives once and in order', async () => {
    await setUp({}, 'both');
    const c = customer!;
    const t = tech!;
    expect(t.session.sendInput({ kind: 'text', text: 'uno' })).toBe(true);
    await eventually(() => typed(c.sink).length === 1, 5000, 'the first input');
    proxy.refusing = true;
    proxy.cutAll();
    await eventually(() => t.session.reconnecting === 'technician' && c.agent.session.current.kind === 'reconnecting', 5000, 'both to notice');
    for (const word of ['dos', 'tres', 'cuatro']) expect(t.session.sendInput({ kind: 'text', text: word })).toBe(true);
    proxy.refusing = false;
    await eventually(() => typed(c.sink).length === 4, 10_000, 'the input typed while both were away');
    expect(typed(c.sink)).toEqual(['type uno', 'type dos', 'type tres', 'type cuatro']);
    await eventually(() => t.session.reconnecting === undefined
      && c.agent.session.current.kind === 'sharing' && c.agent.session.current.technicianReconnecting === undefined, 10_000, 'both carrying on');
    expect(c.consentQuestions).toBe(1);
  });
});
