import x11 from 'x11';

/** The calls of the package's client every caller needs here. */
export interface X11Client {
  on(event: 'error', listener: (err: Error) => void): void;
  terminate(): void;
  /** The package's cache of interned atoms, by name (see connectX11). */
  atoms: Record<string, number>;
}

/** What every caller gets from the `x11` package's display and needs here. */
export interface X11DisplayBase {
  readonly client: X11Client;
}

/** The highest atom every X server predefines (XA_LAST_PREDEFINED). */
const LAST_PREDEFINED_ATOM = 68;
/** The x11 package falls back to TCP port 6000 + the display number. */
const X11_TCP_BASE_PORT = 6000;

/**
 * Opens a connection to the X display `displayName`, the one way the agent's X11 adapters
 * (typing, damage, the pointer, attention) do it, with the `x11` package's traps handled:
 *
 * - a display name whose TCP port would be past 65535 is refused up front: the package
 *   throws that out of a socket callback, where nothing can catch it and the agent ends;
 * - no answer within `timeoutMs` rejects (a hung or silent server), and a connection that
 *   comes up after that is closed again;
 * - the package's cache of interned atoms is shared by every connection of the process,
 *   whatever server it goes to, but atom numbers belong to one server (and to one life of
 *   it): each connection starts from the predefined atoms only.
 *
 * Later request errors are the caller's: it adds its own 'error' listener.
 */
export function connectX11<D extends X11DisplayBase>(displayName: string, timeoutMs: number): Promise<D> {
  const number = /:(\d+)(?:\.\d+)?$/.exec(displayName)?.[1];
  if (number === undefined || Number(number) > 65535 - X11_TCP_BASE_PORT) {
    return Promise.reject(new Error(`X11 display name not understood: ${displayName}`));
  }
  return new Promise<D>((resolve, reject) => {
    let settled = false;
    let client: X11Client | undefined;
    const timer = setTimeout(() => {
      settled = true;
      abandon(client);
      reject(new Error(`X11 connect: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (err: Error | null | undefined, display?: D): void => {
      if (settled) {
        if (!err) abandon(display?.client); // ready after we gave up: close it again
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (err || display === undefined) {
        abandon(client);
        reject(err ?? new Error('X11 connect: no display'));
        return;
      }
      const { client: c } = display;
      c.atoms = Object.fromEntries(Object.entries(c.atoms).filter(([, atom]) => atom <= LAST_PREDEFINED_ATOM));
      resolve(display);
    };
    try {
      client = x11.createClient({ display: displayName }, onReady) as unknown as X11Client;
      client.on('error', (err) => onReady(err));
    } catch (err) {
      onReady(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Closes a connection, whatever state it is in (a half-open one has nothing to flush). */
export function abandon(client: X11Client | undefined): void {
  try {
    client?.terminate();
  } catch {
    // not connected yet: nothing to close
  }
}
