import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { cursorInView } from './capture/cursor-in-view';
import type { CursorSource } from './capture/cursor-source';
import type { SystemClipboard } from './clipboard/clipboard';
import type { CustomerFiles } from './files/customer-files';
import { DisplayView } from './capture/display-view';
import type { MonitorLister } from './capture/monitors';
import type { ScreenSource } from './capture/screen-source';
import { cropToView } from './capture/view-source';
import { watchScreenSize } from './capture/watch-screen-size';
import type { RectEncoder } from './encode/rect-encoder';
import { CoordinateMapper } from './input/coordinate-mapper';
import { InputInjector } from './input/input-injector';
import type { InputSink } from './input/input-sink';
import type { ConsentAnswer } from './contract/ui-events';
import { ClientSession, type ChatHooks, type ConsentRequest } from './session/client-session';
import type { AgentState } from './session/session-state';
import type { BackoffOptions } from '../common/backoff';
import { CursorStreamer, type CursorSend, type CursorStreamerOptions } from './stream/cursor-streamer';
import { FrameStreamer } from './stream/frame-streamer';
import type { FrameStreamerOptionsInput } from './stream/frame-streamer-options';

/** Hardware and people, injected: real adapters in main.ts, fakes in tests. */
export interface AgentDeps {
  readonly relayUrl: string;
  readonly name: string;
  readonly source: ScreenSource;
  readonly encoder: RectEncoder;
  readonly sink: InputSink;
  /** The customer's pointer (XFixes on X11); absent where the system cannot tell: no pointer is sent. */
  readonly cursor?: CursorSource;
  readonly cursorStreamer?: Partial<CursorStreamerOptions>;
  /** The monitors (RandR on X11); absent where the system cannot tell: the whole desktop is streamed. */
  readonly monitors?: MonitorLister;
  readonly logger: Logger;
  readonly consent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  readonly onState: (state: AgentState) => void;
  /** The customer's side of the chat (the window, the terminal); absent, no chat is offered. */
  readonly chat?: ChatHooks;
  /** The system clipboard (X11); absent where the agent cannot reach it: not offered. */
  readonly clipboard?: SystemClipboard;
  /** Shows the customer that the session is being recorded; absent, no technician may record. */
  readonly onRecording?: (recording: boolean) => void;
  /** Files from and to the technician; absent, none are offered. */
  readonly files?: CustomerFiles;
  readonly streamer?: FrameStreamerOptionsInput;
  readonly backoff?: BackoffOptions;
  readonly renewExpiredCode?: boolean;
  readonly socketOptions?: WebSocket.ClientOptions;
  /** Secret digits per code (3–6); see ClientSessionDeps. */
  readonly secretDigits?: number;
  /** Refuse technicians who cannot encrypt end to end; see ClientSessionDeps. */
  readonly requireEndToEnd?: boolean;
}

export interface Agent {
  readonly session: ClientSession;
  readonly injector: InputInjector;
  /** Stops sharing and frees the screen source and the input sink. */
  close(): Promise<void>;
}

/**
 * Puts the customer's agent together: capture → diff → encode → send through the
 * session's socket, and input from the socket → injector → mouse and keyboard.
 */
export async function createAgent(deps: AgentDeps): Promise<Agent> {
  const sinkSize = await deps.sink.screenSize();
  const mapper = new CoordinateMapper(sinkSize.width, sinkSize.height, sinkSize.width, sinkSize.height);
  // The session makes a new streamer per technician; input nudges whichever runs now.
  let streamer: FrameStreamer | undefined;
  const injector = new InputInjector(deps.sink, mapper, deps.logger, () => streamer?.nudge());

  // Which monitor is streamed: the frames are cropped to it, clicks are moved onto it and
  // the pointer is told relative to it.
  const view = new DisplayView();
  const cursor = deps.cursor !== undefined ? cursorInView(deps.cursor, view) : undefined;
  /** Lists the monitors of a desktop this size (none where that fails: the whole desktop is streamed). */
  const layOut = async (width: number, height: number): Promise<void> => {
    const monitors = deps.monitors === undefined ? [] : await deps.monitors.list().catch((err: unknown) => {
      deps.logger.warn({ err: String(err) }, 'could not list the monitors; streaming the whole desktop');
      return [];
    });
    mapper.setCaptureSize(width, height);
    view.setLayout(width, height, monitors);
    mapper.setView(view.area());
  };
  // eslint-disable-next-line prefer-const
  let session: ClientSession;
  const watched = watchScreenSize(deps.source, (width, height) => {
    deps.sink.screenSize().then((s) => mapper.setSinkSize(s.width, s.height), () => undefined);
    void layOut(width, height).then(() => session.announceDisplays(view.describe()));
  });
  const source = cropToView(watched, view);

  session = new ClientSession({
    relayUrl: deps.relayUrl,
    name: deps.name,
    logger: deps.logger,
    injector,
    consent: deps.consent,
    onState: deps.onState,
    displays: async (pickable) => {
      // One grab tells the captured size (pixels), which can differ from the input size.
      const frame = await deps.source.grab();
      view.setPickable(pickable);
      await layOut(frame.width, frame.height);
      return view.describe();
    },
    selectDisplay: (id) => {
      if (!view.select(id)) return undefined;
      mapper.setView(view.area());
      return view.describe();
    },
    createStreamer: (send, wholeFramesOnly) => {
      streamer = new FrameStreamer(
        { source, encoder: deps.encoder, send, logger: deps.logger },
        { ...deps.streamer, wholeFramesOnly },
      );
      return streamer;
    },
    ...(cursor !== undefined ? {
      createCursorStreamer: (send: CursorSend) => new CursorStreamer(cursor, send, deps.logger, deps.cursorStreamer),
    } : {}),
    app: 'compueasys-agent/0.1',
    ...(deps.chat ? { chat: deps.chat } : {}),
    ...(deps.clipboard ? { clipboard: deps.clipboard } : {}),
    ...(deps.onRecording ? { onRecording: deps.onRecording } : {}),
    ...(deps.files ? { files: deps.files } : {}),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    ...(deps.renewExpiredCode !== undefined ? { renewExpiredCode: deps.renewExpiredCode } : {}),
    ...(deps.socketOptions ? { socketOptions: deps.socketOptions } : {}),
    ...(deps.secretDigits !== undefined ? { secretDigits: deps.secretDigits } : {}),
    ...(deps.requireEndToEnd !== undefined ? { requireEndToEnd: deps.requireEndToEnd } : {}),
  });

  return {
    session,
    injector,
    async close() {
      await session.stop();
      await deps.sink.close();
      await deps.source.close?.();
      await deps.cursor?.close();
      await deps.clipboard?.close();
    },
  };
}
