import { createCipheriv, createDecipheriv, randomBytes, webcrypto } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { webCryptoAead } from '../common/e2e/webcrypto-aead';
import { nodeAead } from '../common/node/node-aead';
import { launchTestBrowser, type TestBrowser } from '../test/support/browser';
import { median, type Benchmark, type BenchRow } from './support/benchmark';
import { encodeControl, type ControlMessage } from '../protocol';
import { INPUT_MESSAGE, PlainLane, plainBinary, plainBytes, SEAL_CASES, SealLane, timeRecords, type BatchResult, type SealCase } from './support/seal-measure';

/**
 * Seal and open throughput of the record layer (PROTOCOL.md §12.4), AES-256-GCM:
 * node:crypto (the agent), WebCrypto as Node has it (globalThis.crypto.subtle, what the
 * tests' technicians use) and WebCrypto in Chromium (the technician page's own), each
 * through the real RecordSealer / RecordOpener; the baseline of node:crypto is the same
 * message without sealing (see PlainLane), the baseline of each WebCrypto is node:crypto.
 *
 * `npm run bench -- seal` (all); `seal no-chromium` leaves the browser out; `rounds=N`.
 */

const DEFAULT_ROUNDS = 15;
const WARMUP_ROUNDS = 2;
const NO_CHROMIUM = 'no-chromium';

type Op = 'seal' | 'open';
type LaneId = 'plain' | 'node' | 'node-cipher' | 'webcrypto-node' | 'webcrypto-chromium';

interface Lane {
  readonly id: LaneId;
  readonly name: string;
  batch(c: SealCase, op: Op): Promise<BatchResult>;
}

const LANE_NAMES: Readonly<Record<LaneId, string>> = {
  plain: 'no sealing',
  node: 'node:crypto',
  'node-cipher': 'node:crypto cipher alone',
  'webcrypto-node': 'WebCrypto (Node)',
  'webcrypto-chromium': 'WebCrypto (Chromium)',
};

async function nodeLane(id: 'node' | 'webcrypto-node'): Promise<Lane> {
  const lane = await SealLane.create(id === 'node' ? nodeAead : webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto));
  return { id, name: LANE_NAMES[id], batch: (c, op) => (op === 'seal' ? lane.seal(c) : lane.open(c)) };
}

function plainLane(): Lane {
  const lane = new PlainLane();
  return { id: 'plain', name: LANE_NAMES.plain, batch: (c, op) => (op === 'seal' ? lane.seal(c) : lane.open(c)) };
}

/**
 * The floor of node:crypto: the cipher alone (createCipheriv, setAAD, update, final, the tag;
 * deciphering likewise), with no record layer around it: no nonce or record number built, no
 * output assembled or copied. The record layer's own cost is node:crypto's figure minus this.
 */
function nodeCipherLane(): Lane {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const aad = randomBytes(8);
  const body = new Map<string, { plain: Uint8Array; sealed: Buffer; tag: Buffer }>();
  const of = (c: SealCase): { plain: Uint8Array; sealed: Buffer; tag: Buffer } => {
    let b = body.get(c.id);
    if (b === undefined) {
      const plain = c.kind === 'text' ? new TextEncoder().encode(encodeControl(INPUT_MESSAGE as ControlMessage)) : plainBinary(c).subarray(8);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
      cipher.setAAD(aad);
      const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
      b = { plain, sealed, tag: cipher.getAuthTag() };
      body.set(c.id, b);
    }
    return b;
  };
  return {
    id: 'node-cipher',
    name: LANE_NAMES['node-cipher'],
    async batch(c, op) {
      const b = of(c);
      let n = 0;
      const msPerRecord = await timeRecords(c, () => {
        if (op === 'seal') {
          const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
          cipher.setAAD(aad);
          n += cipher.update(b.plain).length + cipher.final().length + cipher.getAuthTag().length;
        } else {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
          decipher.setAAD(aad);
          decipher.setAuthTag(b.tag);
          n += decipher.update(b.sealed).length;
          decipher.final();
        }
      });
      if (n === 0) throw new Error('the cipher gave nothing');
      return { msPerRecord, wireBytes: b.sealed.length + 16 };
    },
  };
}

/**
 * Chromium's WebCrypto: seal-measure.ts bundled (esbuild) into a blank page served from
 * 127.0.0.1 (a secure context, where `crypto.subtle` exists).
 */
async function chromiumLane(log: (m: string) => void): Promise<{ lane: Lane; close(): Promise<void>; userAgent: string }> {
  const bundle = await build({
    entryPoints: [join(__dirname, 'support', 'seal-page-entry.ts')],
    bundle: true, write: false, format: 'iife', platform: 'browser', target: ['chrome110'], logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]!.text;
  const http = createServer((req, res) => {
    if (req.url === '/seal.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>seal</title><script src="/seal.js"></script>');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const closeHttp = (): Promise<void> => new Promise((resolve) => http.close(() => resolve()));
  let browser: TestBrowser | undefined;
  try {
    browser = await launchTestBrowser();
    const page: Page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    const info = await page.evaluate(() => (globalThis as unknown as { __sealBench: { init(): Promise<{ secureContext: boolean; userAgent: string }> } }).__sealBench.init());
    if (!info.secureContext) throw new Error('the page is not a secure context: no WebCrypto');
    log(`Chromium: ${info.userAgent}`);
    const b = browser;
    return {
      lane: {
        id: 'webcrypto-chromium',
        name: LANE_NAMES['webcrypto-chromium'],
        batch: (c, op) => page.evaluate(([id, o]) => (globalThis as unknown as { __sealBench: { batch(id: string, op: string): Promise<BatchResult> } }).__sealBench.batch(id!, o!), [c.id, op] as const),
      },
      userAgent: info.userAgent,
      close: async () => {
        await b.close();
        await closeHttp();
      },
    };
  } catch (error) {
    await browser?.close();
    await closeHttp();
    throw error;
  }
}

const MIB = 1024 * 1024;
const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const us = (ms: number): string => (ms * 1000 < 10 ? (ms * 1000).toFixed(2) : (ms * 1000).toFixed(1));

interface Figures {
  /** Median over rounds, ms per record. */
  readonly msPerRecord: number;
  /** Fastest and slowest round, ms per record. */
  readonly minMs: number;
  readonly maxMs: number;
  readonly wireBytes: number;
}

const bench: Benchmark = {
  name: 'seal',
  description: 'record layer (AES-256-GCM) seal and open, one record at a time through the real RecordSealer/RecordOpener: node:crypto (agent), WebCrypto in Node and in Chromium (page); '
    + 'baselines: the message without sealing (encodeControl / decodeText, or one copy of a binary message) for node:crypto, node:crypto for WebCrypto and for the bare cipher (floor)',
  async run(log, args) {
    const roundsArg = args.find((a) => a.startsWith('rounds='));
    const rounds = Math.max(3, Math.min(100, Number(roundsArg?.slice('rounds='.length) ?? DEFAULT_ROUNDS) || DEFAULT_ROUNDS));
    const withChromium = !args.includes(NO_CHROMIUM);
    const loadBefore = loadavg()[0] ?? 0;
    const lanes: Lane[] = [plainLane(), await nodeLane('node'), nodeCipherLane(), await nodeLane('webcrypto-node')];
    const chromium = withChromium ? await chromiumLane(log) : undefined;
    if (chromium) lanes.push(chromium.lane);
    const results = new Map<string, BatchResult[]>();
    const key = (lane: LaneId, c: SealCase, op: Op): string => `${lane}/${c.id}/${op}`;
    try {
      log(`${rounds} rounds (+${WARMUP_ROUNDS} warm-up) of ${lanes.map((l) => l.name).join(', ')}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
        // Every case and lane in every round, the lanes in an order that rotates, so a
        // neighbour's burst on the shared machine falls on all of them alike.
        for (const c of SEAL_CASES) {
          for (let k = 0; k < lanes.length; k++) {
            const lane = lanes[(k + round) % lanes.length]!;
            for (const op of ['seal', 'open'] as const) {
              const r = await lane.batch(c, op);
              if (round >= WARMUP_ROUNDS) {
                const list = results.get(key(lane.id, c, op)) ?? [];
                list.push(r);
                results.set(key(lane.id, c, op), list);
              }
            }
          }
        }
        if (round === WARMUP_ROUNDS - 1 || (round + 1 - WARMUP_ROUNDS) % 5 === 0) log(`  round ${round + 1}/${WARMUP_ROUNDS + rounds}, load ${loadavg()[0]!.toFixed(2)}`);
      }
    } finally {
      await chromium?.close();
    }
    const loadAfter = loadavg()[0] ?? 0;
    const figures = (lane: LaneId, c: SealCase, op: Op): Figures => {
      const list = results.get(key(lane, c, op)) ?? [];
      const ms = list.map((r) => r.msPerRecord);
      return { msPerRecord: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), wireBytes: list[0]?.wireBytes ?? 0 };
    };
    const load = `load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`;
    const rows: BenchRow[] = [];
    for (const c of SEAL_CASES) {
      const bytes = plainBytes(c);
      const mibs = (f: Figures): number => bytes / MIB / (f.msPerRecord / 1000);
      const describe = (f: Figures, lane: LaneId): string => `${us(f.msPerRecord)} µs per record${c.pacedMs !== undefined ? ' (median record, each timed alone after 16.7 ms idle)' : ''} (rounds ${us(f.minMs)}–${us(f.maxMs)})`
        + `${lane === 'plain' ? '' : `, ${f.wireBytes} B on the wire`}`;
      for (const op of ['seal', 'open'] as const) {
        const plain = figures('plain', c, op);
        const node = figures('node', c, op);
        const what = `${c.label}, ${bytes} B in clear`;
        rows.push({
          case: `${op} ${c.label}: node:crypto`, value: mibs(node), unit: 'MiB/s',
          baseline: { name: `${op === 'seal' ? (c.kind === 'text' ? 'encodeControl' : 'one copy') : (c.kind === 'text' ? 'decodeText' : 'one copy')}, no sealing`, value: mibs(plain) },
          note: `${describe(node, 'node')}; no sealing ${us(plain.msPerRecord)} µs; ${what}; median of ${rounds} rounds of ${c.batch} records${c.pacedMs !== undefined ? ', one every 16.7 ms' : ''}; ${load}`,
        });
        const floor = figures('node-cipher', c, op);
        rows.push({
          case: `${op} ${c.label}: node:crypto cipher alone (floor)`, value: mibs(floor), unit: 'MiB/s',
          baseline: { name: 'node:crypto through the record layer', value: mibs(node) },
          note: `${us(floor.msPerRecord)} µs per record (rounds ${us(floor.minMs)}–${us(floor.maxMs)}); createCipheriv/setAAD/update/final/getAuthTag `
            + `(${op === 'open' ? 'createDecipheriv … setAuthTag, update, final' : 'no output assembled'}) on the ${c.kind === 'text' ? 'JSON' : 'body after the envelope'}: `
            + `the record layer (nonce, output copied into one array, the envelope and record number in front${op === 'open' ? ', the plain message rebuilt, parsed' : ''}) costs ${us(node.msPerRecord - floor.msPerRecord)} µs of node:crypto's ${us(node.msPerRecord)}`,
        });
        for (const wc of ['webcrypto-node', 'webcrypto-chromium'] as const) {
          if (!lanes.some((l) => l.id === wc)) continue;
          const f = figures(wc, c, op);
          rows.push({
            case: `${op} ${c.label}: ${LANE_NAMES[wc]}`, value: mibs(f), unit: 'MiB/s',
            baseline: { name: 'node:crypto', value: mibs(node) },
            note: `${describe(f, wc)}; node:crypto ${us(node.msPerRecord)} µs; ${what}`
              + `${wc === 'webcrypto-chromium' ? '; timed inside the page (performance.now(), coarsened by Chromium: the batch is ≥ 10 ms)' : ''}`,
          });
        }
      }
    }
    log(`done; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${fmt(loadAfter)}`);
    return rows;
  },
};

export default bench;
