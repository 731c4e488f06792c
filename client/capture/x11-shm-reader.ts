import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import type { Rect } from '../diff/rect';
import { xReplyWithin } from '../support/x11-reply';

/**
 * Reads rectangles of an X11 window through MIT-SHM: the server writes the pixels into a
 * shared file on /dev/shm and answers with a short reply; the pixels are then read from that
 * file straight into the buffer the caller keeps.
 *
 * Why: a core GetImage reply carries the pixels over the socket, where Node reads them in
 * 64 kB chunks and the `x11` package copies the chunks into one reply buffer, so each
 * 400×300 read made 960 kB of buffers outside V8's heap, and that memory, not the heap
 * (10–13 MB), was what started the agent's two or three full garbage collections a second
 * in the glass benchmark's region scene. Here it is one 480 kB buffer and one copy.
 * x0vncserver reads the screen the same way (XShmGetImage).
 *
 * The segment is a file made with O_EXCL | O_NOFOLLOW under an unguessable name, mode 0600,
 * and unlinked at once: no other local user can open it or plant a file or link for us to
 * write through, and it disappears with the last descriptor (ours, the server's mapping),
 * even if the agent is killed. Passing the descriptor needs MIT-SHM 1.2 (AttachFd) on a
 * local connection; without it {@link openShmReader} resolves undefined and the caller
 * keeps the core GetImage.
 */

/** GetImage format ZPixmap: packed pixels (core and MIT-SHM GetImage alike). */
export const Z_PIXMAP = 2;
/** GetImage plane mask: every plane. */
export const ALL_PLANES = 0xffffffff;
const SHM_DIR = '/dev/shm';

// Minimal typing of the `x11` package's MIT-SHM extension (it ships no types).
export interface XShm {
  readonly major: number;
  readonly minor: number;
  readonly fdCapable: boolean;
  AttachFd(shmseg: number, fd: number, readOnly: boolean, cb: (err: Error | null) => void): void;
  Detach(shmseg: number): void;
  GetImage(drawable: number, x: number, y: number, width: number, height: number, planeMask: number, format: number,
    shmseg: number, offset: number, cb: (err: Error | null, reply: { depth: number; size: number }) => void): void;
}
export interface XShmClient {
  AllocID(): number;
  require(ext: 'shm', cb: (err: Error | null, ext: XShm) => void): void;
}

export interface ShmReader {
  /** `MIT-SHM 1.2`, for the agent's "which capture" line. */
  readonly name: string;
  /**
   * The pixels of `rect` of the window (32-bit ZPixmap, rows packed tightly) in a buffer of
   * the caller's; undefined when the rectangle does not fit in what is free of the segment
   * now (the caller reads it another way). Rejects on an X error or a failed read.
   */
  read(rect: Rect): Promise<Buffer> | undefined;
  /** Detaches the segment and closes the file; later reads reject. */
  close(): void;
}

/**
 * Sets up a segment of `bytes` (its memory claimed at once, see createAnonymousFile) for
 * reads of `drawable`. Resolves undefined, never rejects, when shared memory cannot be had:
 * no MIT-SHM 1.2, a remote display, no /dev/shm or no room on it.
 */
export async function openShmReader(X: XShmClient, drawable: number, bytes: number, timeoutMs: number): Promise<ShmReader | undefined> {
  let shm: XShm;
  try {
    shm = await xReplyWithin<XShm>('MIT-SHM extension', timeoutMs, (done) => X.require('shm', done));
  } catch {
    return undefined;
  }
  if (!shm.fdCapable || shm.major < 1 || (shm.major === 1 && shm.minor < 2)) return undefined;
  let fd: number;
  try {
    fd = createAnonymousFile(bytes);
  } catch {
    return undefined;
  }
  const segment = X.AllocID();
  try {
    await xReplyWithin('MIT-SHM AttachFd', timeoutMs, (done) => shm.AttachFd(segment, fd, false, (err) => { done(err); return true; }));
  } catch {
    closeSync(fd);
    return undefined;
  }

  let closed = false;
  // Reads in flight share the segment, each in its own slice; the slices start again from
  // the beginning once none is in flight (a batch of damaged rectangles is read at once).
  let nextOffset = 0;
  let inFlight = 0;
  return {
    name: `MIT-SHM ${shm.major}.${shm.minor}`,
    read(rect: Rect): Promise<Buffer> | undefined {
      if (closed) return Promise.reject(new Error('MIT-SHM reader closed'));
      const size = rect.width * rect.height * 4;
      if (nextOffset + size > bytes) return undefined;
      const offset = nextOffset;
      nextOffset += size;
      inFlight++;
      return xReplyWithin<Buffer>('MIT-SHM GetImage', timeoutMs, (done) => {
        shm.GetImage(drawable, rect.x, rect.y, rect.width, rect.height, ALL_PLANES, Z_PIXMAP, segment, offset, (err, reply) => {
          if (err) return done(err);
          // Closed meanwhile: the descriptor's number may already name another file.
          if (closed) return done(new Error('MIT-SHM reader closed'));
          if (reply.size < size) return done(new Error(`MIT-SHM GetImage: ${reply.size} bytes for ${rect.width}x${rect.height}`));
          try {
            // Every byte is read over it: no need to zero it first.
            const pixels = Buffer.allocUnsafeSlow(size);
            const read = readSync(fd, pixels, 0, size, offset);
            if (read !== size) return done(new Error(`MIT-SHM read ${read} of ${size} bytes`));
            done(null, pixels);
          } catch (error) {
            done(error instanceof Error ? error : new Error(String(error)));
          }
        });
      }).finally(() => {
        if (--inFlight === 0) nextOffset = 0;
      });
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        shm.Detach(segment);
      } catch {
        // The connection is gone, and the server's mapping with it.
      }
      closeSync(fd);
    },
  };
}

/** Zeros written at a time while the segment's memory is claimed. */
const CLAIM_CHUNK_BYTES = 1024 * 1024;

/**
 * A file of `bytes` on /dev/shm that no path leads to: created exclusively, unlinked, and
 * written through once. The write claims its memory now: a sparse file on a full tmpfs
 * (a container's /dev/shm is often 64 MB) would make the X server, which writes the pixels
 * into it, die of SIGBUS at the first page that could not be had. Here that is ENOSPC, and
 * the agent reads over the socket instead.
 */
function createAnonymousFile(bytes: number): number {
  const path = `${SHM_DIR}/compueasys-${randomBytes(12).toString('hex')}`;
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    unlinkSync(path);
    const zeros = Buffer.alloc(Math.min(CLAIM_CHUNK_BYTES, bytes));
    for (let at = 0; at < bytes; at += zeros.byteLength) writeSync(fd, zeros, 0, Math.min(zeros.byteLength, bytes - at), at);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
