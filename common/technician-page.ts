/**
 * What the relay tells the technician page it serves, inside the page itself: the name of
 * the meta tag listing the other relays the page may use (space-separated `wss://host`
 * origins; empty: only the relay that served it). Its presence tells the page it was
 * served by a relay. The relay writes it, the page reads it; both import this name.
 */
export const ALLOWED_RELAYS_META = 'compueasys-relays';
