import type { FileDeclineReason } from '../../protocol';
import type { TransferEvents, TransferHost } from '../../common/files/file-transfers';
import { openDownload } from './download-sink';
import { nodeSha256, openFileSource } from './node-file-source';

/**
 * The customer's side of file transfer, for the agent's front ends (the window, the
 * terminal): where received files go, the largest one taken, and the two questions only
 * the customer can answer. Present in the agent's dependencies, the agent names `files`.
 */
export interface CustomerFiles extends TransferEvents {
  /** The Downloads folder (created if missing). */
  readonly downloadsFolder: string;
  /** Largest file taken or sent, in bytes. */
  readonly maxFileBytes: number;
  /** The technician offers a file: does the customer take it? (`signal`: cancelled meanwhile, stop asking.) */
  confirmReceive(offer: { readonly name: string; readonly size: number }, signal: AbortSignal): Promise<boolean>;
  /** The technician asks for a file: the path the customer picked, or undefined. */
  pickFile(signal: AbortSignal): Promise<string | undefined>;
}

/** The FileTransfers host of the customer's side. */
export function customerTransferHost(files: CustomerFiles): TransferHost {
  return {
    async openIncoming(offer, signal) {
      if (offer.requested) return 'declined' as FileDeclineReason; // the customer's side never asks for a file
      const yes = await files.confirmReceive({ name: offer.name, size: offer.size }, signal);
      if (!yes) return 'declined';
      return openDownload(files.downloadsFolder, offer.name);
    },
    async pickFile(_id, signal) {
      const picked = await files.pickFile(signal);
      return picked === undefined ? undefined : openFileSource(picked);
    },
    createHasher: nodeSha256,
    onProgress: (info) => files.onProgress?.(info),
    onFinished: (info, outcome, detail) => files.onFinished?.(info, outcome, detail),
  };
}
