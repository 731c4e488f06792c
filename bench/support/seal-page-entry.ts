/**
 * Bundled into a blank page by bench/seal.bench.ts (esbuild, at run time): the seal
 * measurements (seal-measure.ts) with Chromium's own WebCrypto, the technician page's
 * AES-256-GCM (common/e2e/webcrypto-aead.ts given `crypto.subtle`, as the page does).
 */
import { webCryptoAead } from '../../common/e2e/webcrypto-aead';
import { SEAL_CASES, SealLane, type BatchResult } from './seal-measure';

let lane: SealLane | undefined;

const api = {
  async init(): Promise<{ secureContext: boolean; userAgent: string }> {
    lane = await SealLane.create(webCryptoAead(crypto.subtle));
    return { secureContext: isSecureContext, userAgent: navigator.userAgent };
  },
  async batch(id: string, op: 'seal' | 'open'): Promise<BatchResult> {
    const c = SEAL_CASES.find((x) => x.id === id);
    if (lane === undefined || c === undefined) throw new Error(`no lane, or no case ${id}`);
    return op === 'seal' ? lane.seal(c) : lane.open(c);
  },
};

Object.defineProperty(globalThis, '__sealBench', { value: api });
