import type { RelayOptions } from './options';

/**
 * Headers on every answer of the relay's HTTP server. The technician page may connect
 * only to this relay (and the relays the operator lists), may not be framed (no
 * click-jacking of the Connect button), runs only its own script and styles, and leaks
 * nothing in Referer. Browsers enforce all of it even if the page's own code were fooled.
 */
export function securityHeaders(options: RelayOptions): Readonly<Record<string, string>> {
  const connect = ["'self'", ...options.pageRelayOrigins].join(' ');
  const headers: Record<string, string> = {
    'content-security-policy': [
      "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
      `connect-src ${connect}`, "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
  // Over TLS, browsers should never fall back to plain http for this host.
  if (options.tlsCertFile !== undefined) headers['strict-transport-security'] = 'max-age=31536000';
  return Object.freeze(headers);
}
