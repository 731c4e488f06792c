import { CloseCode, encodeFrame, Errors, FrameFlag, ImageFormat, type FrameHeader } from '../../protocol';
import type { Relay } from '../../relay/server';
import { startTestRelay } from '../support/relay-harness';
import { pairSealed } from '../support/sealed-peers';

/**
 * FRAME flag SCALED at the relay (PROTOCOL.md §6): the relay sees only a sealed frame's
 * envelope, so it checks what the envelope can tell (a SCALED header has room for the
 * image's size) and passes the rest to the page, which checks the sizes. A broken frame
 * costs its sender's socket only.
 */
const SCALED: FrameHeader = {
  flags: FrameFlag.FULL | FrameFlag.LAST | FrameFlag.SCALED, seq: 1, captureTimeMs: 1_700_000_000_000, displayId: 0,
  format: ImageFormat.JPEG, rectIndex: 0, x: 0, y: 0, width: 1280, height: 720, screenWidth: 1280, screenHeight: 720,
  scaledImage: { width: 640, height: 360 },
};
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

describe('SCALED frames through the relay', () => {
  let relay: Relay;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    await relay.close();
  });

  test('the relay passes a sealed SCALED frame to the technician as it came', async () => {
    const { client, tech } = await pairSealed(relay.wsUrl);
    const plain = encodeFrame(SCALED, JPEG);
    const sealed = await client.sendBinary(plain);
    const arrived = await tech.peer.nextAny();
    if (arrived.kind !== 'sealed-binary') throw new Error(`expected the sealed frame, got ${arrived.kind}`);
    expect(arrived.raw.equals(Buffer.from(sealed))).toBe(true);
    const opened = await tech.opener.openBinary(arrived.raw);
    expect(opened.ok && opened.message.kind === 'frame' && opened.message.header).toEqual(SCALED);
  });

  test('a SCALED frame whose header has no room for the image\'s size is refused (4000), and only its sender\'s socket is closed', async () => {
    const other = await pairSealed(relay.wsUrl);
    const { client, tech } = await pairSealed(relay.wsUrl);
    const plain = encodeFrame(SCALED, JPEG);
    new DataView(plain.buffer).setUint16(2, 32); // says 32: the size fields would be read from the image
    await client.sendBinary(plain);
    expect((await client.peer.until('error')).code).toBe(Errors.PROTO_MALFORMED.code);
    expect((await client.peer.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(await tech.peer.until('peer-left')).toMatchObject({ type: 'peer-left' });
    // The other session is untouched: its frames still go through.
    await other.client.sendBinary(encodeFrame(SCALED, JPEG));
    expect((await other.tech.peer.nextAny()).kind).toBe('sealed-binary');
  });
});
