import { CommandLineError, LOG_LEVELS, parseSettings, usageText, type Setting } from '../common/node/command-line';
import { RelayOptionsError, type RelayOptions } from './options';

/**
 * The relay's settings as environment variables and flags (README "Relay configuration";
 * a test keeps the two in step). Flags win over the environment. Pure: main.ts passes
 * process.env and process.argv in.
 */
type SettingKey = keyof RelayOptions | 'logLevel';

export const RELAY_SETTINGS: readonly Setting<SettingKey>[] = Object.freeze([
  { key: 'port', env: 'PORT', flag: 'port', kind: 'int', help: 'TCP port (default 8080)' },
  { key: 'host', env: 'HOST', flag: 'host', kind: 'string', help: 'interface to listen on (default 0.0.0.0)' },
  { key: 'tlsCertFile', env: 'TLS_CERT_FILE', flag: 'tls-cert', kind: 'string', help: 'PEM certificate: serve https/wss directly' },
  { key: 'tlsKeyFile', env: 'TLS_KEY_FILE', flag: 'tls-key', kind: 'string', help: 'PEM private key for --tls-cert' },
  { key: 'trustProxy', env: 'TRUST_PROXY', flag: 'trust-proxy', kind: 'string', valueName: '<cidrs>', help: 'your proxies (addresses/CIDRs, comma-separated): only their X-Forwarded-For is believed' },
  { key: 'pageRelayOrigins', env: 'PAGE_RELAY_ORIGINS', flag: 'page-relay-origins', kind: 'string', valueName: '<origins>', help: 'other relays (wss://host, comma-separated) the technician page may use' },
  { key: 'adminToken', env: 'ADMIN_TOKEN', flag: 'admin-token', kind: 'string', help: 'token for the full list_sessions view (≥16 chars)' },
  { key: 'staticDir', env: 'STATIC_DIR', flag: 'static-dir', kind: 'string', help: 'folder served at / (default: the built technician page)' },
  { key: 'dataDir', env: 'RELAY_DATA_DIR', flag: 'data-dir', kind: 'string', help: 'where PGlite keeps the database when DATABASE_URL is unset (data)' },
  { key: 'retentionDays', env: 'RETENTION_DAYS', flag: 'retention-days', kind: 'int', help: 'days session records and audit events are kept (365)' },
  { key: 'requireSignIn', env: 'REQUIRE_SIGN_IN', flag: 'require-sign-in', kind: 'bool', help: 'only technicians signed in to an account may join (false)' },
  { key: 'noDatabase', env: 'RELAY_NO_DATABASE', flag: 'no-database', kind: 'bool', help: 'run without a database: no technician accounts (false)' },
  { key: 'codeTtlMs', env: 'CODE_TTL_MS', flag: 'code-ttl-ms', kind: 'int', help: 'access code lifetime (600000)' },
  { key: 'consentTimeoutMs', env: 'CONSENT_TIMEOUT_MS', flag: 'consent-timeout-ms', kind: 'int', help: 'time the customer has to answer (60000)' },
  { key: 'agreementTimeoutMs', env: 'AGREEMENT_TIMEOUT_MS', flag: 'agreement-timeout-ms', kind: 'int', help: 'time two sealing peers have to agree on keys (30000)' },
  { key: 'requireE2e', env: 'REQUIRE_E2E', flag: 'require-e2e', kind: 'bool', help: 'pair only end-to-end encrypted peers: refuse protocol 1 and the legacy API (false)' },
  { key: 'handshakeTimeoutMs', env: 'HANDSHAKE_TIMEOUT_MS', flag: 'handshake-timeout-ms', kind: 'int', help: 'time a new socket has to say hello (10000)' },
  { key: 'idleTimeoutMs', env: 'IDLE_TIMEOUT_MS', flag: 'idle-timeout-ms', kind: 'int', help: 'time from hello to register or join (30000)' },
  { key: 'resumeGraceMs', env: 'RESUME_GRACE_MS', flag: 'resume-grace-ms', kind: 'int', help: 'time a dropped peer has to resume its session; 0: off (30000)' },
  { key: 'heartbeatIntervalMs', env: 'HEARTBEAT_INTERVAL_MS', flag: 'heartbeat-interval-ms', kind: 'int', help: 'ping interval; dead after two (10000)' },
  { key: 'maxSessionAgeMs', env: 'MAX_SESSION_AGE_MS', flag: 'max-session-age-ms', kind: 'int', help: 'longest session (86400000)' },
  { key: 'legacyPollTimeoutMs', env: 'LEGACY_POLL_TIMEOUT_MS', flag: 'legacy-poll-timeout-ms', kind: 'int', help: 'legacy peer silent this long has left (60000)' },
  { key: 'maxFrameBytes', env: 'MAX_FRAME_BYTES', flag: 'max-frame-bytes', kind: 'int', help: 'largest binary message (4194304)' },
  { key: 'maxTextBytes', env: 'MAX_TEXT_BYTES', flag: 'max-text-bytes', kind: 'int', help: 'largest JSON message (65536)' },
  { key: 'maxLegacyBodyBytes', env: 'MAX_LEGACY_BODY_BYTES', flag: 'max-legacy-body-bytes', kind: 'int', help: 'largest legacy HTTP body (8388608)' },
  { key: 'maxFileBytesPerSession', env: 'MAX_FILE_BYTES_PER_SESSION', flag: 'max-file-bytes-per-session', kind: 'int', help: 'file bytes a session may move, both ways; 0: no file transfer (4294967296)' },
  { key: 'maxMessagesPerSecond', env: 'MAX_MESSAGES_PER_SECOND', flag: 'max-messages-per-second', kind: 'int', help: 'per socket (1000)' },
  { key: 'maxBytesPerSecond', env: 'MAX_BYTES_PER_SECOND', flag: 'max-bytes-per-second', kind: 'int', help: 'per socket (67108864)' },
  { key: 'codeAttemptsPerIp', env: 'CODE_ATTEMPTS_PER_IP', flag: 'code-attempts-per-ip', kind: 'int', help: 'wrong codes per address per minute (5)' },
  { key: 'codeAttemptsGlobal', env: 'CODE_ATTEMPTS_GLOBAL', flag: 'code-attempts-global', kind: 'int', help: 'wrong codes for everyone per minute (200)' },
  { key: 'codeCooldownMs', env: 'CODE_COOLDOWN_MS', flag: 'code-cooldown-ms', kind: 'int', help: 'refusal after too many wrong codes (300000)' },
  { key: 'maxSessions', env: 'MAX_SESSIONS', flag: 'max-sessions', kind: 'int', help: 'most live sessions (20000)' },
  { key: 'maxSockets', env: 'MAX_SOCKETS', flag: 'max-sockets', kind: 'int', help: 'most open WebSockets (50000)' },
  { key: 'maxSessionsPerIp', env: 'MAX_SESSIONS_PER_IP', flag: 'max-sessions-per-ip', kind: 'int', help: 'live sessions per address (20)' },
  { key: 'registrationsPerIpPerMinute', env: 'REGISTRATIONS_PER_IP_PER_MINUTE', flag: 'registrations-per-ip-per-minute', kind: 'int', help: 'registrations and new codes per address per minute (30)' },
  { key: 'maxConnectionsPerIp', env: 'MAX_CONNECTIONS_PER_IP', flag: 'max-connections-per-ip', kind: 'int', help: 'open connections per address (64)' },
  { key: 'logLevel', env: 'LOG_LEVEL', flag: 'log-level', kind: 'string', choices: LOG_LEVELS, help: `${LOG_LEVELS.join('|')} (info)` },
]);

export interface ParsedCommandLine {
  readonly options: Partial<RelayOptions>;
  readonly logLevel: string;
  readonly help: boolean;
}

export function parseRelayCommandLine(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseSettings(RELAY_SETTINGS, argv, env);
  } catch (e) {
    if (e instanceof CommandLineError) throw new RelayOptionsError(e.message);
    throw e;
  }
  const { logLevel, trustProxy, pageRelayOrigins, ...rest } = parsed.values;
  const options: Partial<RelayOptions> = {
    ...(rest as Partial<RelayOptions>),
    ...(trustProxy !== undefined ? { trustProxy: listOf(trustProxy) } : {}),
    ...(pageRelayOrigins !== undefined ? { pageRelayOrigins: listOf(pageRelayOrigins) } : {}),
  };
  return { options, logLevel: (logLevel as string | undefined) ?? 'info', help: parsed.help };
}

/** A comma-separated list setting. */
function listOf(value: string | number | boolean): string[] {
  return String(value).split(',').map((item) => item.trim()).filter((item) => item !== '');
}

export function relayUsage(): string {
  return usageText('Usage: npm start -- [options]   (each option also reads the environment variable shown)', RELAY_SETTINGS);
}
