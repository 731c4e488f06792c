import pino from 'pino';
import type { Clock } from '../../relay/clock';
import type { RelayOptions } from '../../relay/options';
import { createRelay, type Relay } from '../../relay/server';

/**
 * Every peer of a test connects from 127.0.0.1, so the per-address limits (which guard a
 * real relay against one abuser) would only count the test's own peers: they are raised
 * here, and the tests about them set them explicitly (and use other 127.x.y.z sources).
 */
export const ROOMY_ADDRESS_LIMITS: Partial<RelayOptions> = Object.freeze({
  codeAttemptsPerIp: 1_000, maxSessionsPerIp: 10_000, registrationsPerIpPerMinute: 10_000, maxConnectionsPerIp: 10_000,
});

/** A real relay on 127.0.0.1, port 0, with fast sweeps so expiries show up quickly. */
export async function startTestRelay(options: Partial<RelayOptions> = {}, clock?: Clock): Promise<Relay> {
  return createRelay({
    options: { port: 0, host: '127.0.0.1', sweepIntervalMs: 20, ...ROOMY_ADDRESS_LIMITS, ...options },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // Every forwarded message in the histograms, so tests can count them.
    metricsSampleEvery: 1,
    ...(clock ? { clock } : {}),
  });
}

/** Polls `condition` (which may itself ask, e.g. over HTTP) until true (bounded): for states reached asynchronously. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits for `promise`, failing after `ms` with `what`: a barrier that never comes fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A legacy API call; returns the HTTP status and parsed JSON. */
export async function legacyCall(baseUrl: string, path: string, body?: unknown, init: RequestInit = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${baseUrl}/api/relay/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...init,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** The legacy API's answer when it refuses a call: `status`, and the error `code` with some message. */
export function legacyRefusal(status: number, code: string): { status: number; json: unknown } {
  return { status, json: { success: false, error: { code, message: expect.any(String) } } };
}
