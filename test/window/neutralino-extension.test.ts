import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { Errors } from '../../protocol';
import {
  extensionUrl, parseHandshake, parseRuntimeMessage, readHandshake, runExtension,
} from '../../client/window/neutralino-extension';
import { NEUTRALINO_EXTENSION_ID } from '../../client/contract/ui-events';
import { WindowBridge } from '../../client/window/window-bridge';
import type { Relay } from '../../relay/server';
import type { Agent } from '../../client/agent';
import { untilAgentHasRead } from '../support/agent-barrier';
import { RecordingSink } from '../support/fake-hardware';
import { eventually, startTestRelay, within } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';
import { joinSealed } from '../support/sealed-peers';
import { routingPart } from '../../common/access-code';
import { NeutralinoRuntimeStandIn } from './neutralino-stand-in';
import { fakeHardwareAgent } from './window-harness';

const EXTENSION = join(__dirname, '../../dist/client/extension.js');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The built extension as the runtime starts it: handshake on stdin, then stdin closed. */
function startExtensionProcess(stdin: string | undefined, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [EXTENSION, '--lang', 'en', '--log-level', 'warn', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (stdin !== undefined) child.stdin!.end(stdin);
  return { child, output: () => out, exited };
}

describe('Neutralino extension handshake and messages (the agent side of the documented extension protocol)', () => {
  test('the stdin object is read as the runtime writes it (nlPort a string), a number port too; anything else is refused', () => {
    const h = { nlPort: '41733', nlToken: 'aB3dE5.fG7h', nlConnectToken: 'fG7h', nlExtensionId: 'com.compueasys.agent' };
    expect(parseHandshake(JSON.stringify(h))).toEqual({ ...h, nlPort: 41733 });
    expect(parseHandshake(JSON.stringify({ ...h, nlPort: 41733 }))).toEqual({ ...h, nlPort: 41733 });
    for (const bad of ['', 'nope', '[]', JSON.stringify({ ...h, nlPort: '0' }), JSON.stringify({ ...h, nlPort: '70000' }),
      JSON.stringify({ ...h, nlToken: undefined }), JSON.stringify({ ...h, nlConnectToken: 'a b' }),
      JSON.stringify({ ...h, nlExtensionId: '../x' }), JSON.stringify({ ...h, nlPort: null })]) {
      expect(parseHandshake(bad)).toBeUndefined();
    }
  });

  test('readHandshake takes the object even in pieces, and fails clearly when stdin ends without it', async () => {
    const input = new PassThrough();
    const reading = readHandshake(input, 2000);
    input.write('{"nlPort":"4100","nlToken":"t.c",');
    input.write('"nlConnectToken":"c","nlExtensionId":"com.compueasys.agent"}\n');
    await expect(reading).resolves.toEqual({ nlPort: 4100, nlToken: 't.c', nlConnectToken: 'c', nlExtensionId: 'com.compueasys.agent' });

    const empty = new PassThrough();
    const failing = readHandshake(empty, 2000);
    empty.end('{"nlPort":');
    await expect(failing).rejects.toThrow(/stdin ended without the Neutralino handshake/);
    await expect(readHandshake(new PassThrough(), 50)).rejects.toThrow(/no Neutralino handshake/);
  });

  test('the connect URL names the extension and carries the connect token; runtime replies and events are told apart', () => {
    expect(extensionUrl({ nlPort: 41733, nlToken: 't.c', nlConnectToken: 'Yc2x-Qp.9', nlExtensionId: 'com.compueasys.agent' }))
      .toBe('ws://127.0.0.1:41733?extensionId=com.compueasys.agent&connectToken=Yc2x-Qp.9');
    expect(parseRuntimeMessage('{"event":"ui:command","data":{"command":"connect"}}'))
      .toEqual({ kind: 'event', envelope: { event: 'ui:command', data: { command: 'connect' } } });
    expect(parseRuntimeMessage('{"id":"1","method":"app.broadcast","data":{"success":true}}'))
      .toEqual({ kind: 'reply', id: '1', method: 'app.broadcast', error: undefined });
    expect(parseRuntimeMessage('{"id":"2","method":"app.broadcast","data":{"error":{"code":"NE_RT_NATPRME","message":"Missing permission"}}}'))
      .toMatchObject({ kind: 'reply', error: 'NE_RT_NATPRME: Missing permission' });
    expect(parseRuntimeMessage('[1]')).toBeUndefined();
    expect(parseRuntimeMessage('{oops')).toBeUndefined();
  });
});

describe('the built extension process against a local stand-in of the Neutralino runtime socket (the Neutralino binary cannot be downloaded here)', () => {
  let runtime: NeutralinoRuntimeStandIn;
  beforeEach(async () => {
    runtime = await NeutralinoRuntimeStandIn.start();
  });
  afterEach(async () => {
    await runtime.close();
  });

  test('reads the stdin handshake, connects with extensionId and connectToken, broadcasts with the access token, and exits when the socket closes', async () => {
    const ext = startExtensionProcess(JSON.stringify(runtime.handshake()));
    try {
      await within(runtime.connected, 10_000, `the extension to connect\n${ext.output()}`);
      expect(runtime.attempts).toEqual([`/?extensionId=${NEUTRALINO_EXTENSION_ID}&connectToken=${runtime.connectToken}`]);

      // On connecting it tells the window where things stand: a native call, not an event.
      const first = await runtime.nextCall('agent:state');
      expect(first).toEqual({ id: expect.stringMatching(UUID), method: 'app.broadcast', accessToken: runtime.token, data: { event: 'agent:state', data: { kind: 'idle' } } });
      expect(Object.keys(first).sort()).toEqual(['accessToken', 'data', 'id', 'method']);

      // The page says hello through Neutralino.extensions.dispatch; a window connecting to the runtime too.
      runtime.dispatch('ui:command', { command: 'hello' });
      const again = await runtime.nextCall('agent:state');
      expect(again.data.data).toEqual({ kind: 'idle' });
      expect(again.id).not.toBe(first.id);
      runtime.dispatch('appClientConnect', 1);
      expect((await runtime.nextCall('agent:state')).data.data).toEqual({ kind: 'idle' });

      // Junk and unknown commands from the runtime are ignored; the extension carries on.
      runtime.sendRaw('not json');
      runtime.dispatch('ui:command', { command: 'format-disk' });
      runtime.dispatch('clientConnect', 2);
      runtime.dispatch('ui:command', { command: 'hello' });
      expect((await runtime.nextCall('agent:state')).data.data).toEqual({ kind: 'idle' });
      expect(runtime.junk).toEqual([]);
      expect(ext.child.exitCode).toBeNull();

      // The runtime goes away: the extension must exit by itself.
      runtime.closeExtension();
      expect(await within(ext.exited, 10_000, 'the extension to exit')).toBe(0);
    } finally {
      ext.child.kill('SIGKILL');
    }
  });

  test('without a handshake on stdin, or with a connect token the runtime refuses, it exits with an error', async () => {
    const noHandshake = startExtensionProcess('');
    expect(await within(noHandshake.exited, 10_000, 'exit without a handshake')).toBe(1);
    expect(noHandshake.output()).toMatch(/stdin ended without the Neutralino handshake/);

    const refused = startExtensionProcess(JSON.stringify({ ...runtime.handshake(), nlConnectToken: 'wrongToken' }));
    expect(await within(refused.exited, 10_000, 'exit after a refused connection')).toBe(1);
    expect(refused.output()).toMatch(/cannot connect to the Neutralino runtime/);
    expect(runtime.attempts).toEqual([`/?extensionId=${NEUTRALINO_EXTENSION_ID}&connectToken=wrongToken`]);
  });
});

describe('a whole session through the extension bridge and a local stand-in of the Neutralino runtime socket (the binary cannot be downloaded here), real relay', () => {
  let relay: Relay;
  let runtime: NeutralinoRuntimeStandIn;
  let tech: WsTestPeer | undefined;
  beforeEach(async () => {
    relay = await startTestRelay();
    runtime = await NeutralinoRuntimeStandIn.start();
  });
  afterEach(async () => {
    tech?.close();
    await runtime.close();
    await relay.close();
  });

  test('connect → code → the question with the technician\'s name → allow control → sharing; the window closing stops sharing and the technician is told', async () => {
    const sink = new RecordingSink();
    const logger = pino({ level: 'silent' });
    const bridge = new WindowBridge({ logger, createAgent: fakeHardwareAgent(relay.wsUrl, sink) });
    const handshake = parseHandshake(JSON.stringify(runtime.handshake()))!;
    const { done } = await runExtension(handshake, bridge, { logger });
    expect(await runtime.nextState('idle')).toEqual({ kind: 'idle' });

    runtime.dispatch('ui:command', { command: 'connect' });
    await runtime.nextState('connecting');
    const code = await runtime.nextState('code');
    expect(code).toMatchObject({ code: expect.stringMatching(/^[0-9]{9}$/), ttlMs: 600_000 });
    expect(code.remainingMs).toBeGreaterThan(590_000);

    tech = (await joinSealed(relay.wsUrl, code.code as string)).tech;
    expect(await runtime.nextState('consent')).toMatchObject({ technicianName: 'Juan (CompuEasys)', timeoutMs: 60_000, encrypted: true });

    runtime.dispatch('ui:command', { command: 'consent', answer: 'control' });
    expect((await tech.until('paired')).viewOnly).toBe(false);
    expect(await runtime.nextState('sharing')).toMatchObject({ technicianName: 'Juan (CompuEasys)', viewOnly: false, encrypted: true });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 5, y: 6 } });
    await eventually(() => sink.log.includes('left up'), 5000, 'the click');
    expect(runtime.calls.every((c) => c.method === 'app.broadcast' && c.accessToken === runtime.token)).toBe(true);

    runtime.closeExtension();
    expect((await within(done, 5000, 'the extension to stop')).code).toBe(1000);
    expect(await tech.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect(bridge.session?.current).toMatchObject({ kind: 'ended', by: 'customer' });
  });

  test('an older technician app, view only through the extension: the question says it is in clear, the relay refuses the technician\'s input, nothing is injected, and the page\'s stop ends it for both sides', async () => {
    const sink = new RecordingSink();
    const logger = pino({ level: 'silent' });
    let agent: Agent | undefined;
    const bridge = new WindowBridge({ logger, createAgent: fakeHardwareAgent(relay.wsUrl, sink, (a) => { agent = a; }) });
    const { client, done } = await runExtension(parseHandshake(JSON.stringify(runtime.handshake()))!, bridge, { logger, method: 'events.broadcast' });
    runtime.dispatch('ui:command', { command: 'connect' });
    const code = await runtime.nextState('code');
    tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code: routingPart(code.code as string), name: 'Juan (CompuEasys)' });
    expect(await runtime.nextState('consent')).toMatchObject({ encrypted: false });
    runtime.dispatch('ui:command', { command: 'consent', answer: 'view-only' });
    expect((await tech.until('paired')).viewOnly).toBe(true);
    expect(await runtime.nextState('sharing')).toMatchObject({ viewOnly: true, encrypted: false });
    expect(runtime.calls.at(-1)!.method).toBe('events.broadcast');
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'text', text: 'hola' } });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    await untilAgentHasRead(tech);
    await agent!.injector.idle();
    expect(sink.log).toEqual([]);

    // "Stop sharing" from the page ends it for both sides at once.
    runtime.dispatch('ui:command', { command: 'stop' });
    expect(await tech.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect(await runtime.nextState('ended')).toEqual({ kind: 'ended', by: 'customer', reason: 'stopped' });
    client.close();
    await done;
  });
});
