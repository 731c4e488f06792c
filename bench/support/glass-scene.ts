/**
 * The glass benchmark's scenes (bench/glass.bench.ts): the customer's screen paints, on
 * every change, a frame counter and its own clock IN PIXELS, so that a meter in any viewer
 * (ours or noVNC) can read both back off the viewer's canvas without knowing its protocol.
 */
import { LONG_BODY, READY, REGION, showPage, STATIC_BODY, STYLE, type ChromiumScene } from './chromium-scene';

export type GlassSceneName = 'region' | 'scroll' | 'still' | 'key';

/**
 * Where the stamp sits on the screen and how it is drawn: 48 bits (a 16-bit frame counter,
 * then the low 32 bits of the scene's Date.now()) as black/white blocks of `bit`×`bit` px,
 * `perRow` to a row; two rows of bits, then the same two rows inverted, so that a reader
 * can tell a whole stamp from one torn between two updates or smeared by JPEG. 16 px blocks
 * keep their colour at any JPEG quality (an 8×8 DCT block never spans two of them).
 * It lies inside the region scene's 400×300 rectangle, so that scene changes only there.
 */
export const STAMP = Object.freeze({ x: REGION.x + 8, y: REGION.y + 8, bit: 16, perRow: 24, bits: 48, counterBits: 16 });
/** The key-to-echo scene's square: it turns from black to white (and back) on every keydown. */
export const SQUARE = Object.freeze({ x: REGION.x + 8, y: REGION.y + 96, size: 64 });
/** The area the meter reads: the stamp and the square together (one getImageData). */
export const METER_AREA = Object.freeze({ x: STAMP.x, y: STAMP.y, width: STAMP.perRow * STAMP.bit, height: SQUARE.y + SQUARE.size - STAMP.y });

/** How many clock reports the scene sends to the bench once it shows (the quickest one counts). */
const CLOCK_PINGS = 20;

// Paints the stamp on its own fixed canvas. The counter and the time are packed by
// arithmetic, not bit operators: the time needs 32 unsigned bits.
const STAMP_SCRIPT = `
const S=${JSON.stringify(STAMP)};const st=document.getElementById('stamp'),sg=st.getContext('2d');let frame=0;
function stamp(){frame=(frame+1)%65536;const t=Date.now()%4294967296;
for(let i=0;i<S.bits;i++){const b=i<S.counterBits?Math.floor(frame/2**i)%2:Math.floor(t/2**(i-S.counterBits))%2;
const x=(i%S.perRow)*S.bit,y=Math.floor(i/S.perRow)*S.bit;
sg.fillStyle=b?'#fff':'#000';sg.fillRect(x,y,S.bit,S.bit);sg.fillStyle=b?'#000':'#fff';sg.fillRect(x,y+2*S.bit,S.bit,S.bit);}}
stamp();
(async()=>{for(let i=0;i<${CLOCK_PINGS};i++){await fetch('/clock?at='+Date.now());}})();`;

// (a) The region: gradient and bouncing discs redrawn on every animation frame (60/s), stamp on top.
const REGION_SCRIPT = `
const c=document.getElementById('c'),g=c.getContext('2d');let f=0;
function draw(){requestAnimationFrame(draw);f++;const w=c.width,h=c.height;
const gr=g.createLinearGradient(0,0,w,h);gr.addColorStop(0,'hsl('+(f*3%360)+',70%,50%)');gr.addColorStop(1,'hsl('+((f*3+140)%360)+',70%,40%)');
g.fillStyle=gr;g.fillRect(0,0,w,h);
for(let i=0;i<12;i++){g.beginPath();g.fillStyle='hsla('+(i*30)+',80%,60%,.8)';
g.arc((Math.sin(f/20+i)*.45+.5)*w,(Math.cos(f/27+i*1.7)*.45+.5)*h,14+i*2,0,7);g.fill();}
stamp();}
requestAnimationFrame(draw);`;

/**
 * Steps a second of the scroll scene: no viewer can show more frames than this, which caps
 * the scroll fps ratio at this ÷ noVNC's rate (the bench says so beside the figure).
 */
export const SCROLL_STEPS_PER_SECOND = 30;

// (b) The whole screen scrolls by 6 px, 30 times a second (as the stream bench's full scene:
// Chromium draws in software here), the stamp fixed in place and repainted with each step.
const SCROLL_SCRIPT = `
let t0=0;function step(t){requestAnimationFrame(step);if(t-t0<1000/${SCROLL_STEPS_PER_SECOND}-4)return;t0=t;
if(scrollY+innerHeight>=document.body.scrollHeight-8)scrollTo(0,0);else scrollBy(0,6);stamp();}
requestAnimationFrame(step);`;

// (d) Every keydown flips the square; nothing else moves.
const KEY_SCRIPT = `
const q=document.getElementById('square'),qg=q.getContext('2d');let on=false;
function paint(){qg.fillStyle=on?'#fff':'#000';qg.fillRect(0,0,q.width,q.height);}paint();
addEventListener('keydown',()=>{on=!on;paint();},{capture:true});`;

function glassPage(scene: GlassSceneName): string {
  const fixed = (id: string, x: number, y: number, w: number, h: number): string =>
    `<canvas id="${id}" width="${w}" height="${h}" style="position:fixed;left:${x}px;top:${y}px"></canvas>`;
  const stampCanvas = fixed('stamp', STAMP.x, STAMP.y, STAMP.perRow * STAMP.bit, 4 * STAMP.bit);
  const parts: string[] = [scene === 'scroll' ? LONG_BODY : STATIC_BODY];
  if (scene === 'region') parts.push(fixed('c', REGION.x, REGION.y, REGION.width, REGION.height));
  if (scene === 'key') parts.push(fixed('square', SQUARE.x, SQUARE.y, SQUARE.size, SQUARE.size));
  parts.push(stampCanvas, `<script>${STAMP_SCRIPT}</script>`);
  if (scene === 'region') parts.push(`<script>${REGION_SCRIPT}</script>`);
  if (scene === 'scroll') parts.push(`<script>${SCROLL_SCRIPT}</script>`);
  if (scene === 'key') parts.push(`<script>${KEY_SCRIPT}</script>`);
  return `<!doctype html><html><head><meta charset="utf-8">${STYLE}</head><body>${parts.join('')}<script>${READY}</script></body></html>`;
}

/** A shown glass scene, and how its clock compares with the bench's. */
export interface GlassScene extends ChromiumScene {
  /**
   * The smallest (bench Date.now() at arrival − scene Date.now() at sending) of the scene's
   * clock reports: the scene's clock behind the bench's plus the quickest one-way trip, so an
   * upper bound of how far the scene's clock lags (a negative value: it runs ahead). NaN before any report.
   */
  clockLagBoundMs(): number;
}

/** Opens `scene` full-screen in kiosk Chromium on the display of `env` (bench/support/chromium-scene.ts). */
export async function showGlassScene(scene: GlassSceneName, env: NodeJS.ProcessEnv, width: number, height: number): Promise<GlassScene> {
  let lag = Number.NaN;
  const shown = await showPage(glassPage(scene), `glass ${scene}`, env, width, height, 30_000, {
    '/clock': (q) => {
      const d = Date.now() - Number(q.get('at'));
      lag = Number.isNaN(lag) ? d : Math.min(lag, d);
    },
  });
  return { stop: () => shown.stop(), clockLagBoundMs: () => lag };
}
