import { TrustedProxies } from './client-address';

/**
 * Every tunable of the relay, with units in the names. `resolveRelayOptions` fills
 * defaults, validates and freezes them in one place; nothing else reads the environment.
 */
export interface RelayOptions {
  /** TCP port; 0 picks a free one (tests). Hosting platforms set PORT. */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /** PEM certificate and key files: when both are set the relay serves https/wss itself. */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /**
   * The operator's proxies (addresses or CIDR ranges): only a request from one of these
   * has its X-Forwarded-For believed. Empty: the socket's address is the peer's.
   */
  readonly trustProxy: readonly string[];
  /**
   * Other relays the technician page served here may connect to (`wss://host` origins);
   * empty: only this relay. Goes into the page's Content-Security-Policy.
   */
  readonly pageRelayOrigins: readonly string[];
  /** Token that unlocks the session list of `list_sessions`; unset means counts only. */
  readonly adminToken: string | undefined;
  /** Folder with the technician page; unset serves the built-in one under dist/. */
  readonly staticDir: string | undefined;
  /** Where PGlite keeps the relay's database when DATABASE_URL names no server. */
  readonly dataDir: string;
  /** Run without a database: no technician accounts (the relay works as before them). */
  readonly noDatabase: boolean;
  /** Only technicians signed in to an account may join (the legacy API's technicians cannot). */
  readonly requireSignIn: boolean;
  /** Session records and audit events older than this many days are deleted. */
  readonly retentionDays: number;

  /** How long an access code works if nobody joins. */
  readonly codeTtlMs: number;
  /** How long the customer has to answer a technician before the relay denies. */
  readonly consentTimeoutMs: number;
  /**
   * How long two sealing peers have to agree on keys after the join; past it the attempt
   * counts as a failed verification (a wrong code for the technician's address).
   */
  readonly agreementTimeoutMs: number;
  /**
   * Pair only peers that seal end to end: a peer of protocol version 1 and the legacy
   * polling API are refused (RS_ERR_E2E_REQUIRED) instead of being paired in clear.
   */
  readonly requireE2e: boolean;
  /** A peer must say `hello` within this time. */
  readonly handshakeTimeoutMs: number;
  /** A socket that said hello but neither registered nor joined is closed after this. */
  readonly idleTimeoutMs: number;
  /**
   * Largest message a socket may send before it is paired (hello, register, join, consent
   * are small); never more than maxTextBytes.
   */
  readonly preSessionMessageBytes: number;
  /**
   * How long a session of two peers that can resume waits for a side whose connection
   * dropped to come back (PROTOCOL.md §14); 0 turns resume off (a drop ends the session).
   */
  readonly resumeGraceMs: number;
  /** The relay pings every socket this often; one missing two pings in a row is dropped. */
  readonly heartbeatIntervalMs: number;
  /** How often expiries and timeouts are checked. */
  readonly sweepIntervalMs: number;
  /** No session lives longer than this. */
  readonly maxSessionAgeMs: number;
  /** A legacy polling peer that does not poll for this long has left. */
  readonly legacyPollTimeoutMs: number;
  /** Longest long poll a legacy peer may ask for (`wait_ms`). */
  readonly legacyMaxWaitMs: number;
  /** How long a legacy peer can still read why its session ended. */
  readonly legacyGraceMs: number;

  /** Largest binary message (frame). Announced in `welcome`. */
  readonly maxFrameBytes: number;
  /** Largest text (JSON) message. Announced in `welcome`. */
  readonly maxTextBytes: number;
  /** Largest legacy HTTP body (base64 screenshots are big). */
  readonly maxLegacyBodyBytes: number;
  /** Most messages queued for one legacy peer before its session is ended. */
  readonly maxLegacyQueue: number;
  /** Most bytes queued for one legacy peer (besides its newest screen) before its session is ended. */
  readonly maxLegacyQueueBytes: number;
  /** Largest legacy message that is not a screen (actions, notices). */
  readonly maxLegacyMessageBytes: number;
  /** send_message calls per second one legacy peer may make (sustained); bursts up to twice that. */
  readonly legacySendsPerSecond: number;
  /** Messages per second a socket may send (sustained); bursts up to twice that. */
  readonly maxMessagesPerSecond: number;
  /** Bytes per second a socket may send (sustained); bursts up to twice that. */
  readonly maxBytesPerSecond: number;
  /** Frames waiting in a technician's socket beyond this are replaced by the newest. */
  readonly frameBacklogBytes: number;
  /** Control and input waiting for a peer beyond this ends the session (it is not reading). */
  readonly controlBacklogBytes: number;
  /**
   * File bytes one session may move through this relay, both ways together (judged from the
   * sealed chunks' sizes); more ends the session (RS_ERR_LIMIT_FILE_BYTES). Announced in
   * `welcome`, so pages offer nothing larger. 0 turns file transfer off.
   */
  readonly maxFileBytesPerSession: number;

  /**
   * Guesses (wrong codes; legacy registrations, which could tell a live code) one address
   * may make within the cool-down window before it is refused for the cool-down.
   */
  readonly codeAttemptsPerIp: number;
  /**
   * Wrong codes from everyone within `codeAttemptWindowMs` that put the relay on alert:
   * then an address that guessed within its window is refused; others are still heard.
   */
  readonly codeAttemptsGlobal: number;
  readonly codeAttemptWindowMs: number;
  /** How long an address that guessed too often is refused; also the window its guesses are counted over. */
  readonly codeCooldownMs: number;
  /** Addresses remembered by the attempt limiter (oldest forgotten first). */
  readonly maxTrackedAddresses: number;
  /** Live sessions one address (IPv4, or IPv6 /64) may hold. */
  readonly maxSessionsPerIp: number;
  /** Registrations and code renewals one address may make per minute. */
  readonly registrationsPerIpPerMinute: number;
  /** Open connections (HTTP and WebSocket) one address may hold. */
  readonly maxConnectionsPerIp: number;

  /** Most live sessions. */
  readonly maxSessions: number;
  /** Most open WebSocket connections. */
  readonly maxSockets: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  trustProxy: Object.freeze([]),
  pageRelayOrigins: Object.freeze([]),
  adminToken: undefined,
  staticDir: undefined,
  dataDir: 'data',
  noDatabase: false,
  requireSignIn: false,
  retentionDays: 365,
  codeTtlMs: 10 * 60_000,
  consentTimeoutMs: 60_000,
  agreementTimeoutMs: 30_000,
  requireE2e: false,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  preSessionMessageBytes: 4096,
  resumeGraceMs: 30_000,
  heartbeatIntervalMs: 10_000,
  sweepIntervalMs: 1_000,
  maxSessionAgeMs: 24 * 3600_000,
  legacyPollTimeoutMs: 60_000,
  legacyMaxWaitMs: 30_000,
  legacyGraceMs: 60_000,
  maxFrameBytes: 4 * 1024 * 1024,
  maxTextBytes: 64 * 1024,
  maxLegacyBodyBytes: 8 * 1024 * 1024,
  maxLegacyQueue: 1_000,
  maxLegacyQueueBytes: 1024 * 1024,
  maxLegacyMessageBytes: 16 * 1024,
  legacySendsPerSecond: 50,
  maxMessagesPerSecond: 1_000,
  maxBytesPerSecond: 64 * 1024 * 1024,
  frameBacklogBytes: 2 * 1024 * 1024,
  controlBacklogBytes: 1024 * 1024,
  maxFileBytesPerSession: 4 * 1024 * 1024 * 1024,
  codeAttemptsPerIp: 5,
  codeAttemptsGlobal: 200,
  codeAttemptWindowMs: 60_000,
  codeCooldownMs: 5 * 60_000,
  maxTrackedAddresses: 100_000,
  maxSessionsPerIp: 20,
  registrationsPerIpPerMinute: 30,
  maxConnectionsPerIp: 64,
  maxSessions: 20_000,
  maxSockets: 50_000,
});

type NumericKey = { [K in keyof RelayOptions]: RelayOptions[K] extends number ? K : never }[keyof RelayOptions];

/** Minimum accepted for each number; everything must be an integer. */
const MINIMUMS: Record<NumericKey, number> = {
  port: 0, codeTtlMs: 1, consentTimeoutMs: 1, agreementTimeoutMs: 1, handshakeTimeoutMs: 1, idleTimeoutMs: 1, preSessionMessageBytes: 256,
  resumeGraceMs: 0, heartbeatIntervalMs: 10, sweepIntervalMs: 10, maxSessionAgeMs: 1, legacyPollTimeoutMs: 1,
  legacyMaxWaitMs: 0, legacyGraceMs: 0, maxFrameBytes: 1024, maxTextBytes: 1024,
  maxLegacyBodyBytes: 1024, maxLegacyQueue: 1, maxLegacyQueueBytes: 1024, maxLegacyMessageBytes: 256, legacySendsPerSecond: 1,
  maxMessagesPerSecond: 1, maxBytesPerSecond: 1024,
  frameBacklogBytes: 1024, controlBacklogBytes: 1024, maxFileBytesPerSession: 0, codeAttemptsPerIp: 1, codeAttemptsGlobal: 1,
  codeAttemptWindowMs: 1, codeCooldownMs: 0, maxTrackedAddresses: 1, maxSessions: 1, maxSockets: 1,
  maxSessionsPerIp: 1, registrationsPerIpPerMinute: 1, maxConnectionsPerIp: 1, retentionDays: 1,
};

export class RelayOptionsError extends Error {}

/** Fills defaults, validates every value and freezes the result. Throws RelayOptionsError. */
export function resolveRelayOptions(partial: Partial<RelayOptions> = {}): RelayOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULT_RELAY_OPTIONS, ...defined } as RelayOptions;
  for (const [key, min] of Object.entries(MINIMUMS) as [NumericKey, number][]) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new RelayOptionsError(`${key} must be an integer ≥ ${min}`);
    }
  }
  if (o.port > 65535) throw new RelayOptionsError('port must be ≤ 65535');
  if ((o.tlsCertFile === undefined) !== (o.tlsKeyFile === undefined)) {
    throw new RelayOptionsError('tlsCertFile and tlsKeyFile go together');
  }
  if (o.adminToken !== undefined && o.adminToken.length < 16) {
    throw new RelayOptionsError('adminToken must be at least 16 characters');
  }
  if (typeof o.requireE2e !== 'boolean') throw new RelayOptionsError('requireE2e must be true or false');
  if (o.resumeGraceMs > 10 * 60_000) throw new RelayOptionsError('resumeGraceMs must be ≤ 600000 (a seat held longer is a seat lost)');
  if (o.maxFrameBytes > 64 * 1024 * 1024) throw new RelayOptionsError('maxFrameBytes must be ≤ 64 MiB');
  try {
    void new TrustedProxies(o.trustProxy);
  } catch (e) {
    throw new RelayOptionsError(`trustProxy: ${(e as Error).message}`);
  }
  for (const origin of o.pageRelayOrigins) {
    if (!/^wss?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(origin)) {
      throw new RelayOptionsError(`pageRelayOrigins: not a ws:// or wss:// origin (scheme, host, optional port): ${origin}`);
    }
  }
  return Object.freeze({ ...o, trustProxy: Object.freeze([...o.trustProxy]), pageRelayOrigins: Object.freeze([...o.pageRelayOrigins]) });
}
