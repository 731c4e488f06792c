/**
 * The part of Neutralino's client library the window uses. The library itself is the
 * `neutralino.js` script of the page (from @neutralinojs/lib), loaded as a script because
 * the runtime prepends its globals (NL_PORT, NL_TOKEN …) to any path ending in
 * neutralino.js; this file only describes the global it defines.
 */
export interface NeutralinoEvent {
  readonly detail: unknown;
}

export interface NeutralinoTrayOptions {
  readonly icon: string;
  readonly menuItems: readonly { readonly id: string; readonly text: string }[];
}

export interface NeutralinoApi {
  init(): void;
  readonly events: { on(event: string, handler: (e: NeutralinoEvent) => void): Promise<unknown> };
  readonly extensions: { dispatch(extensionId: string, event: string, data?: unknown): Promise<unknown> };
  readonly os: {
    setTray(options: NeutralinoTrayOptions): Promise<unknown>;
    /** The system's file dialog: the paths chosen (none when cancelled). */
    showOpenDialog(title?: string, options?: { readonly multiSelections?: boolean }): Promise<string[]>;
  };
  readonly app: { exit(code?: number): Promise<void> };
  readonly window: {
    show(): Promise<void>;
    focus(): Promise<void>;
    unminimize(): Promise<void>;
    setTitle(title: string): Promise<void>;
    setAlwaysOnTop(onTop: boolean): Promise<void>;
    setSize(size: { readonly width?: number; readonly height?: number }): Promise<void>;
  };
}

interface NeutralinoGlobals {
  readonly Neutralino?: NeutralinoApi;
  readonly NL_PORT?: number | string;
}

/** The Neutralino API when this page runs inside the Neutralino runtime, else undefined. */
export function neutralinoRuntime(global: unknown): NeutralinoApi | undefined {
  const g = global as NeutralinoGlobals;
  // NL_PORT is injected only by the runtime: in a plain browser the library is there, the globals are not.
  return g.Neutralino !== undefined && g.NL_PORT !== undefined ? g.Neutralino : undefined;
}
