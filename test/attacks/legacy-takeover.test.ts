import type { Relay } from '../../relay/server';
import { legacyCall, startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Finding 3: the legacy session id was the only credential, shared by both sides, and it
 * survived a refusal. A technician the customer refused kept polling with it; when the
 * customer accepted the next technician, the refused one's calls spoke for the new one.
 */
describe('attack: a refused legacy technician keeps its session_id', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  test('its id is dead once refused: it can neither drive nor watch the session the customer then accepts', async () => {
    const customer = await WsTestPeer.hello(relay.wsUrl, 'client');
    customer.sendJson({ type: 'register', name: 'PC-LUCIA' });
    const first = await customer.next('code');

    const intruder = await legacyCall(relay.url, 'connect_technician/', { access_code: first.code, technician_name: 'Soporte' });
    expect(intruder.status).toBe(200);
    await customer.next('consent-request');
    customer.sendJson({ type: 'consent', granted: false, viewOnly: false });
    await customer.next('error');
    const second = await customer.next('code');

    const genuine = await legacyCall(relay.url, 'connect_technician/', { access_code: second.code, technician_name: 'Ana (CompuEasys)' });
    expect(genuine.status).toBe(200);
    expect((await customer.next('consent-request')).technicianName).toBe('Ana (CompuEasys)');
    customer.sendJson({ type: 'consent', granted: true, viewOnly: false });
    await customer.next('paired');

    // The intruder tries everything with the id it was given.
    const id = intruder.json.session_id as string;
    const click = { action: 'mouse_click', x: 10, y: 10, button: 'left' };
    const drive = await legacyCall(relay.url, 'send_message/', { session_id: id, sender: 'technician', message: { action: 'type_text', text: 'rm -rf' } });
    expect(drive.status).toBe(410);
    const asClient = await legacyCall(relay.url, 'send_message/', { session_id: id, sender: 'client', message: { type: 'screen', data: 'AAAA' } });
    expect(asClient.status).toBe(404);
    // Its own mailbox holds only its refusal; then nothing but "ended".
    const mailbox = await legacyCall(relay.url, 'receive_messages/', { session_id: id, receiver: 'technician' });
    expect(mailbox.json.messages).toEqual([
      { sender: 'relay', message: expect.objectContaining({ type: 'waiting_consent' }) },
      { sender: 'relay', message: expect.objectContaining({ type: 'error', code: 'RS_ERR_CONSENT_DENIED' }) },
    ]);
    expect((await legacyCall(relay.url, 'receive_messages/', { session_id: id, receiver: 'technician' })).status).toBe(410);
    // Disconnecting with it ends nothing of the live session.
    await legacyCall(relay.url, 'disconnect/', { session_id: id });

    // The accepted technician alone drives the customer's computer.
    expect((await legacyCall(relay.url, 'send_message/', { session_id: genuine.json.session_id, sender: 'technician', message: click })).status).toBe(200);
    const input = await customer.next('input');
    expect(input.event).toMatchObject({ kind: 'click', x: 10, y: 10 });
    expect(customer.pending).toBe(0);
    expect(relay.hub.counts().paired).toBe(1);
  });

  test('an old technician cannot use its id as the customer, nor the customer\'s as the technician', async () => {
    const reg = await legacyCall(relay.url, 'register_client/', { client_id: 'PC-OLD', access_code: '404404' });
    const con = await legacyCall(relay.url, 'connect_technician/', { access_code: '404404' });
    const screen = { type: 'screen', data: 'AAAA' };
    expect((await legacyCall(relay.url, 'send_message/', { session_id: con.json.session_id, sender: 'client', message: screen })).status).toBe(404);
    expect((await legacyCall(relay.url, 'receive_messages/', { session_id: reg.json.session_id, receiver: 'technician' })).status).toBe(404);
    expect((await legacyCall(relay.url, 'disconnect/', { session_id: reg.json.session_id, sender: 'technician' })).status).toBe(404);
  });
});
