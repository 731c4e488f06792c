import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileSource, Hasher } from '../../common/files/file-io';

/** A file the customer picked, read a chunk at a time (opened once: the file picked is the file sent). */
export async function openFileSource(filePath: string): Promise<FileSource> {
  const handle = await fs.open(filePath, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    let closed = false;
    return {
      name: path.basename(filePath),
      size: stat.size,
      async read(offset, length) {
        const buffer = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === length ? buffer : buffer.subarray(0, done);
      },
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** SHA-256 through node:crypto (far faster than a JavaScript one for large files). */
export function nodeSha256(): Hasher {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => new Uint8Array(hash.digest()),
  };
}
