import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the screen shows during a stream measurement. */
export type SceneName = 'still' | 'region' | 'full';

/** Where the changing region of the `region` scene sits (not tile-aligned, as in life). */
export const REGION = Object.freeze({ x: 500, y: 300, width: 400, height: 300 });

const TEXT = 'Factura 2024-118 · Cliente: Ferreteria Lopez · Impresora HP LaserJet sin conexion · '
  + 'Reiniciar el servicio de cola de impresion y comprobar el controlador. ';

export const STATIC_BODY = `
<h1>Soporte remoto · Ticket 4711</h1>
<p>${TEXT.repeat(6)}</p>
<table>${Array.from({ length: 14 }, (_, i) => `<tr><td>Linea ${i + 1}</td><td>${TEXT.slice(0, 60)}</td><td>${(i * 37.5).toFixed(2)} EUR</td></tr>`).join('')}</table>
<p>${TEXT.repeat(4)}</p>`;

export const STYLE = `<style>
html,body{margin:0;overflow:hidden;background:#f3f5f8;font:15px "DejaVu Sans",sans-serif;color:#222}
h1{background:#2d5fa8;color:#fff;margin:0;padding:14px 20px;font-size:22px}
p{margin:16px 20px;line-height:1.5} table{margin:0 20px;border-collapse:collapse}
td{border:1px solid #bbb;padding:4px 10px} canvas{position:absolute;display:block}
</style>`;

/**
 * How often each scene's picture changes, per second. The whole-screen scene scrolls 30
 * times a second, not 60: Chromium draws in software here (no GPU) and shares the 2 cores
 * with the agent; 30 is still above the 15 fps target, so every grab sees a new picture.
 */
export const CHANGES_PER_SECOND: Readonly<Record<SceneName, number>> = Object.freeze({ still: 0, region: 60, full: 30 });

/** After two painted frames the page tells the bench it is on screen. */
export const READY = `let n=0;function r(){if(++n<3)requestAnimationFrame(r);else fetch('/ready');}requestAnimationFrame(r);`;

// A moving picture: shifting gradient, bouncing discs and a frame counter, redrawn every frame.
const REGION_SCRIPT = `
const c=document.getElementById('c'),g=c.getContext('2d');let f=0;
let t0=0;function draw(t){requestAnimationFrame(draw);if(t-t0<FRAME_MS)return;t0=t;f++;const w=c.width,h=c.height;
const gr=g.createLinearGradient(0,0,w,h);gr.addColorStop(0,'hsl('+(f*3%360)+',70%,50%)');gr.addColorStop(1,'hsl('+((f*3+140)%360)+',70%,40%)');
g.fillStyle=gr;g.fillRect(0,0,w,h);
for(let i=0;i<12;i++){g.beginPath();g.fillStyle='hsla('+(i*30)+',80%,60%,.8)';
g.arc((Math.sin(f/20+i)*.45+.5)*w,(Math.cos(f/27+i*1.7)*.45+.5)*h,14+i*2,0,7);g.fill();}
g.fillStyle='#fff';g.font='bold 28px DejaVu Sans';g.fillText('frame '+f,16,40);}
requestAnimationFrame(draw);`;

// The whole screen: the document scrolls by 6 px per change, as when a customer scrolls
// a long web page or PDF. Every text row moves, so nearly every tile changes each time.
const FULL_SCRIPT = `
let t0=0;function step(t){requestAnimationFrame(step);if(t-t0<FRAME_MS)return;t0=t;
if(scrollY+innerHeight>=document.body.scrollHeight-8)scrollTo(0,0);else scrollBy(0,6);}
requestAnimationFrame(step);`;

/** A long document for the scrolling scene: the still page many times, with picture-like boxes. */
export const LONG_BODY = Array.from({ length: 12 }, (_, i) => STATIC_BODY
  + `<div style="margin:16px 20px;height:180px;width:${520 + (i % 3) * 200}px;background:linear-gradient(${i * 40}deg,hsl(${i * 50},60%,55%),hsl(${i * 50 + 120},60%,35%))"></div>`).join('');

function page(scene: SceneName): string {
  // rAF fires every ~16.7 ms; a little slack so a 30/s scene does not drift to 20/s.
  const frameMs = `<script>const FRAME_MS=${Math.max(0, 1000 / (CHANGES_PER_SECOND[scene] || 60) - 4)};</script>`;
  const canvas = scene === 'region'
    ? `<canvas id="c" width="${REGION.width}" height="${REGION.height}" style="left:${REGION.x}px;top:${REGION.y}px"></canvas><script>${REGION_SCRIPT}</script>`
    : scene === 'full' ? `<script>${FULL_SCRIPT}</script>` : '';
  const body = scene === 'full' ? LONG_BODY : STATIC_BODY;
  return `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>${body}${frameMs}${canvas}<script>${READY}</script></body></html>`;
}

/** A Chromium window filling an X display, showing one scene. */
export interface ChromiumScene {
  stop(): Promise<void>;
}

/**
 * Serves the scene over HTTP on 127.0.0.1 and opens it in a headful Chromium in kiosk
 * mode on `display`; resolves when the page has painted. Chromium renders in software
 * (--disable-gpu) and shares the 2 cores with the agent, as a customer's browser would.
 */
export async function showScene(scene: SceneName, env: NodeJS.ProcessEnv, width: number, height: number, timeoutMs = 30_000): Promise<ChromiumScene> {
  return showPage(page(scene), scene, env, width, height, timeoutMs);
}

/**
 * Any page, shown as {@link showScene} shows a scene. The page must fetch `/ready` once it
 * has painted (the READY snippet does); other requests to a path in `routes` go to its
 * handler (with the query string), e.g. the glass scene's clock reports.
 */
export async function showPage(html: string, label: string, env: NodeJS.ProcessEnv, width: number, height: number, timeoutMs = 30_000,
  routes: Readonly<Record<string, (query: URLSearchParams) => void>> = {}): Promise<ChromiumScene> {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { onReady = resolve; });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/ready') {
      onReady();
      res.writeHead(204).end();
      return;
    }
    const route = routes[url.pathname];
    if (route !== undefined) {
      route(url.searchParams);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const profile = mkdtempSync(join(tmpdir(), 'rs-bench-chromium-'));
  const child: ChildProcess = spawn('chromium', [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--no-default-browser-check', `--user-data-dir=${profile}`,
    '--kiosk', '--window-position=0,0', `--window-size=${width},${height}`,
    // Keep requestAnimationFrame at full rate although no window manager gives focus.
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
    '--noerrdialogs', '--disable-infobars', '--password-store=basic',
    `http://127.0.0.1:${port}/`,
  ], { env, stdio: 'ignore', detached: true });
  const stop = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      // detached: the group id is Chromium's pid; its zygote and renderers go with it.
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { resolve(); }
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(profile, { recursive: true, force: true });
  };
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Chromium did not show the ${label} scene in ${timeoutMs} ms`)), timeoutMs).unref());
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
