import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileSink } from '../../common/files/file-io';
import { numberedName, safeFileName } from './safe-file-name';

/** Names tried before giving up on finding a free one (`x (1).txt` … `x (999).txt`). */
const MAX_NUMBERED_NAMES = 999;

/**
 * Opens a received file in `folder` (created if missing): written to a hidden temporary
 * file (`.<name>.<random>.part`, created exclusively, readable by the customer only), and
 * on commit given the safe form of `offeredName`, or the first free numbered variant, by a
 * hard link, which fails rather than replace a file that exists (the customer's files are
 * never overwritten, even by a file that appears meanwhile), then the temporary name goes.
 * Discard deletes the temporary file. Every path stays inside `folder`.
 */
export async function openDownload(folder: string, offeredName: string): Promise<FileSink> {
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const base = path.resolve(folder);
  const name = safeFileName(offeredName);
  const partPath = path.join(base, `.${name.slice(0, 64)}.${randomBytes(6).toString('hex')}.part`);
  const handle = await fs.open(partPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  let open = true;
  const closeHandle = async (): Promise<void> => {
    if (!open) return;
    open = false;
    await handle.close();
  };
  return {
    async write(bytes) {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    },
    async commit() {
      await handle.sync();
      await closeHandle();
      for (let n = 0; n <= MAX_NUMBERED_NAMES; n++) {
        const candidate = n === 0 ? name : numberedName(name, n);
        const target = path.resolve(base, candidate);
        // safeFileName leaves no separator; checked again here, where a mistake would cost the customer's files.
        if (path.dirname(target) !== base) throw new Error('a name outside the folder');
        try {
          await fs.link(partPath, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
        await fs.unlink(partPath);
        return candidate;
      }
      throw new Error('no free name for the received file');
    },
    async discard() {
      await closeHandle().catch(() => undefined);
      await fs.rm(partPath, { force: true });
    },
  };
}
