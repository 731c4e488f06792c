import pino from 'pino';
import type { ControlMessage } from '../../protocol';
import { ManualClock } from '../clock';
import { Hub } from '../hub';
import { resolveRelayOptions } from '../options';
import type { PeerEnd, PeerLink } from '../peer-link';
import { IllegalTransitionError } from '../session';

class FakeLink implements PeerLink {
  sent: ControlMessage[] = [];
  ended: PeerEnd | undefined;
  constructor(readonly role: 'client' | 'technician', readonly name = 'x', readonly legacy = false) {}
  readonly wholeFramesOnly = false;
  readonly seals = false;
  readonly resumes = false;
  send(m: ControlMessage): void {
    this.sent.push(m);
  }
  sendFrame(): void {}
  sendAck(): void {}
  end(r: PeerEnd): void {
    this.ended = r;
  }
}

function hub(clock = new ManualClock(), options = {}): Hub {
  // Every fake peer here comes from the same address: allow it many sessions.
  const roomy = { maxSessionsPerIp: 100_000, registrationsPerIpPerMinute: 100_000 };
  return new Hub({ options: resolveRelayOptions({ ...roomy, ...options }), clock, logger: pino({ level: 'silent' }) });
}

describe('Hub', () => {
  test('codes are six digits and unique among live sessions', () => {
    const h = hub();
    const codes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const r = h.registerClient(new FakeLink('client'), 'ip');
      if (!r.ok) throw new Error(r.error.code);
      expect(r.value.code).toMatch(/^[0-9]{6}$/);
      codes.add(r.value.code);
    }
    expect(codes.size).toBe(2000);
  });

  test('a legacy code already live is refused, and counts as a wrong attempt', () => {
    const h = hub(new ManualClock(), { codeAttemptsPerIp: 2 });
    expect(h.registerClient(new FakeLink('client', 'a', true), 'ip', '385621').ok).toBe(true);
    const second = h.registerClient(new FakeLink('client', 'b', true), 'ip', '385621');
    expect(!second.ok && second.error.code).toBe('RS_ERR_CODE_TAKEN');
    h.registerClient(new FakeLink('client', 'c', true), 'ip', '385621');
    const blocked = h.join(new FakeLink('technician'), '385621', 'ip');
    expect(!blocked.ok && blocked.error.code).toBe('RS_ERR_CODE_ATTEMPTS');
  });

  test('the session limit is enforced', () => {
    const h = hub(new ManualClock(), { maxSessions: 1 });
    expect(h.registerClient(new FakeLink('client'), 'ip').ok).toBe(true);
    const r = h.registerClient(new FakeLink('client'), 'ip');
    expect(!r.ok && r.error.code).toBe('RS_ERR_LIMIT_SERVER_FULL');
  });

  test('illegal session transitions are refused', () => {
    const h = hub();
    const r = h.registerClient(new FakeLink('client'), 'ip');
    if (!r.ok) throw new Error();
    const session = r.value.session;
    expect(() => session.pair(false)).toThrow(IllegalTransitionError); // nobody to pair with
    expect(() => session.refuseTechnician()).toThrow(IllegalTransitionError); // nobody asked
    session.end();
    expect(() => session.pair(false, new FakeLink('technician'))).toThrow(IllegalTransitionError);
    expect(() => session.technicianJoined(new FakeLink('technician'), 'ip', 0)).toThrow(IllegalTransitionError);
    expect(() => session.askConsent(0)).toThrow(IllegalTransitionError);
    expect(() => session.codeBound('123456', 0)).toThrow(IllegalTransitionError);
    expect(session.state).toBe('ended');
    expect(session.technician).toBeUndefined();
  });

  test('a session never gets a second technician', () => {
    const h = hub();
    const r = h.registerClient(new FakeLink('client'), 'ip');
    if (!r.ok) throw new Error();
    const first = new FakeLink('technician');
    expect(h.join(first, r.value.code, 'ip').ok).toBe(true);
    expect(() => r.value.session.technicianJoined(new FakeLink('technician'), 'ip', 0)).toThrow(IllegalTransitionError);
    expect(() => r.value.session.pair(false, new FakeLink('technician'))).toThrow(IllegalTransitionError);
    expect(r.value.session.technician).toBe(first);
  });

  test('a dropped frame asks the client for one refresh until a full frame arrives', () => {
    const h = hub();
    const client = new FakeLink('client');
    const r = h.registerClient(client, 'ip');
    if (!r.ok) throw new Error();
    const tech = new FakeLink('technician');
    h.join(tech, r.value.code, 'ip');
    h.consent(r.value.session, true, false);
    client.sent = [];
    h.frameDropped(r.value.session);
    h.frameDropped(r.value.session);
    expect(client.sent).toEqual([{ type: 'refresh', reason: 'dropped' }]);
    h.forwardFrame(r.value.session, new Uint8Array(40), 0x01 | 0x02);
    h.frameDropped(r.value.session);
    expect(client.sent).toHaveLength(2);
  });
});
