import { RelayOptionsError, type RelayOptions } from './options';

/**
 * Maps environment variables and `--flag value` arguments onto RelayOptions. Flags win
 * over the environment. Pure: main.ts passes process.env and process.argv in.
 */
interface Setting {
  readonly key: keyof RelayOptions;
  readonly env: string;
  readonly flag: string;
  readonly kind: 'int' | 'string' | 'bool';
  readonly help: string;
}

export const RELAY_SETTINGS: readonly Setting[] = Object.freeze([
  { key: 'port', env: 'PORT', flag: '--port', kind: 'int', help: 'TCP port (default 8080)' },
  { key: 'host', env: 'HOST', flag: '--host', kind: 'string', help: 'interface to listen on (default 0.0.0.0)' },
  { key: 'tlsCertFile', env: 'TLS_CERT_FILE', flag: '--tls-cert', kind: 'string', help: 'PEM certificate: serve https/wss directly' },
  { key: 'tlsKeyFile', env: 'TLS_KEY_FILE', flag: '--tls-key', kind: 'string', help: 'PEM private key for --tls-cert' },
  { key: 'trustProxy', env: 'TRUST_PROXY', flag: '--trust-proxy', kind: 'bool', help: 'take the client address from X-Forwarded-For' },
  { key: 'adminToken', env: 'ADMIN_TOKEN', flag: '--admin-token', kind: 'string', help: 'token for the full list_sessions view (≥16 chars)' },
  { key: 'staticDir', env: 'STATIC_DIR', flag: '--static-dir', kind: 'string', help: 'folder served at / (default: the built technician page)' },
  { key: 'codeTtlMs', env: 'CODE_TTL_MS', flag: '--code-ttl-ms', kind: 'int', help: 'access code lifetime (600000)' },
  { key: 'consentTimeoutMs', env: 'CONSENT_TIMEOUT_MS', flag: '--consent-timeout-ms', kind: 'int', help: 'time the customer has to answer (60000)' },
  { key: 'heartbeatIntervalMs', env: 'HEARTBEAT_INTERVAL_MS', flag: '--heartbeat-interval-ms', kind: 'int', help: 'ping interval; dead after two (10000)' },
  { key: 'maxSessionAgeMs', env: 'MAX_SESSION_AGE_MS', flag: '--max-session-age-ms', kind: 'int', help: 'longest session (86400000)' },
  { key: 'legacyPollTimeoutMs', env: 'LEGACY_POLL_TIMEOUT_MS', flag: '--legacy-poll-timeout-ms', kind: 'int', help: 'legacy peer silent this long has left (60000)' },
  { key: 'maxFrameBytes', env: 'MAX_FRAME_BYTES', flag: '--max-frame-bytes', kind: 'int', help: 'largest binary message (4194304)' },
  { key: 'maxTextBytes', env: 'MAX_TEXT_BYTES', flag: '--max-text-bytes', kind: 'int', help: 'largest JSON message (65536)' },
  { key: 'maxLegacyBodyBytes', env: 'MAX_LEGACY_BODY_BYTES', flag: '--max-legacy-body-bytes', kind: 'int', help: 'largest legacy HTTP body (8388608)' },
  { key: 'maxMessagesPerSecond', env: 'MAX_MESSAGES_PER_SECOND', flag: '--max-messages-per-second', kind: 'int', help: 'per socket (1000)' },
  { key: 'maxBytesPerSecond', env: 'MAX_BYTES_PER_SECOND', flag: '--max-bytes-per-second', kind: 'int', help: 'per socket (67108864)' },
  { key: 'codeAttemptsPerIp', env: 'CODE_ATTEMPTS_PER_IP', flag: '--code-attempts-per-ip', kind: 'int', help: 'wrong codes per address per minute (5)' },
  { key: 'codeAttemptsGlobal', env: 'CODE_ATTEMPTS_GLOBAL', flag: '--code-attempts-global', kind: 'int', help: 'wrong codes for everyone per minute (200)' },
  { key: 'codeCooldownMs', env: 'CODE_COOLDOWN_MS', flag: '--code-cooldown-ms', kind: 'int', help: 'refusal after too many wrong codes (300000)' },
  { key: 'maxSessions', env: 'MAX_SESSIONS', flag: '--max-sessions', kind: 'int', help: 'most live sessions (20000)' },
  { key: 'maxSockets', env: 'MAX_SOCKETS', flag: '--max-sockets', kind: 'int', help: 'most open WebSockets (50000)' },
]);

function convert(s: Setting, raw: string, source: string): unknown {
  switch (s.kind) {
    case 'int': {
      if (!/^[0-9]+$/.test(raw)) throw new RelayOptionsError(`${source}: expected a whole number`);
      return Number(raw);
    }
    case 'bool': {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new RelayOptionsError(`${source}: expected true or false`);
    }
    case 'string':
      return raw === '' ? undefined : raw;
    default: {
      const unreachable: never = s.kind;
      return unreachable;
    }
  }
}

export interface ParsedCommandLine {
  readonly options: Partial<RelayOptions>;
  readonly logLevel: string;
  readonly help: boolean;
}

export function parseRelayCommandLine(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): ParsedCommandLine {
  const options: Record<string, unknown> = {};
  for (const s of RELAY_SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined) options[s.key] = convert(s, raw, s.env);
  }
  let logLevel = env.LOG_LEVEL ?? 'info';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--log-level') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new RelayOptionsError('--log-level needs a value');
      logLevel = v;
      continue;
    }
    const s = RELAY_SETTINGS.find((x) => x.flag === flag);
    if (!s) throw new RelayOptionsError(`unknown option ${flag}`);
    if (s.kind === 'bool' && inline === undefined) { options[s.key] = true; continue; }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new RelayOptionsError(`${flag} needs a value`);
    options[s.key] = convert(s, v, flag);
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new RelayOptionsError('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }
  return { options: options as Partial<RelayOptions>, logLevel, help };
}

export function relayUsage(): string {
  const lines = RELAY_SETTINGS.map((s) => `  ${(s.flag + (s.kind === 'bool' ? '' : ' <v>')).padEnd(34)} ${s.env.padEnd(24)} ${s.help}`);
  return ['Usage: npm start -- [options]   (each option also reads the environment variable shown)', '',
    `  ${'--log-level <v>'.padEnd(34)} ${'LOG_LEVEL'.padEnd(24)} fatal|error|warn|info|debug|trace|silent (info)`, ...lines].join('\n');
}
