/**
 * The glass benchmark's floor: the least latency any viewer could show on this machine.
 *
 * It reads the scene's stamp straight off the X server, as soon as DAMAGE says it changed
 * (the way our agent learns of a change), and sends the raw pixels of the meter's area over
 * a loopback WebSocket to a bare page in the same headless Chromium, which draws them on a
 * canvas the moment they arrive (as noVNC draws). No encoding, no relay, no sealing, no
 * pacing: what is left is the scene reaching X, one loopback hop and the viewer's refresh,
 * which every viewer pays.
 *
 * The same meter (bench/support/glass-meter.ts) reads this canvas, so its figures compare
 * with both viewers' directly: a latency target below what the floor shows cannot be met
 * by any viewer here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { createX11DamageSource } from '../../client/capture/x11-damage-adapter';
import type { TestBrowser } from '../../test/support/browser';
import { countReceivedBytes, installMeter } from './glass-meter';
import { METER_AREA } from './glass-scene';
import { readMeterAreaOnDamage } from './glass-stamp-reader';
import type { Viewer } from './glass-viewers';

const CANVAS_ID = 'floor';

/** The bare viewer page: a canvas the size of the screen up to the meter's area, drawn on arrival. */
function floorPage(): string {
  const A = METER_AREA;
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>
<canvas id="${CANVAS_ID}" width="${A.x + A.width}" height="${A.y + A.height}"></canvas>
<script>
const A=${JSON.stringify(A)};const c=document.getElementById('${CANVAS_ID}'),g=c.getContext('2d');
const ws=new WebSocket('ws://'+location.host+'/');ws.binaryType='arraybuffer';
ws.onmessage=(e)=>{g.putImageData(new ImageData(new Uint8ClampedArray(e.data),A.width,A.height),A.x,A.y);};
</script></body></html>`;
}

/** The floor viewer on X display `display`, shown in `browser`. */
export async function startFloorViewer(display: string, browser: TestBrowser): Promise<Viewer> {
  const damage = await createX11DamageSource(display);
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  let page: Page | undefined;
  let stopStream = (): void => undefined;
  const clients = new Set<WebSocket>();
  const stop = async (): Promise<void> => {
    stopStream();
    await page?.close().catch(() => undefined);
    for (const ws of clients) ws.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await damage.close();
  };
  try {
    const html = floorPage();
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    // The page only listens: anything it sends ends its socket.
    wss = new WebSocketServer({ server, maxPayload: 1 });
    wss.on('connection', (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', () => ws.terminate());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    damage.take(); // start from now: the first batch read is whatever changes next
    stopStream = readMeterAreaOnDamage(damage, (rgba) => {
      for (const ws of clients) ws.send(rgba);
    }, () => {
      // The X connection went away: the lane's meter sees no more frames, and says so.
    });
    page = await browser.newPage();
    const bytes = countReceivedBytes(page);
    await installMeter(page, `#${CANVAS_ID}`);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.querySelector('canvas') !== null, undefined, { timeout: 10_000 });
    const p = page;
    return {
      name: 'floor (X read on damage, raw pixels, drawn on arrival)',
      page: p,
      what: `floor: ${damage.name} → GetImage of the meter's area → loopback WebSocket → putImageData`,
      receivedBytes: bytes,
      // Its capture runs in the bench's own process, beside everything else the bench does.
      serverCpuMs: () => Number.NaN,
      serverRssBytes: () => Number.NaN,
      focusCanvas: () => Promise.reject(new Error('the floor takes no keys')),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
