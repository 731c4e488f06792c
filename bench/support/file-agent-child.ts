/**
 * The customer's agent for the file-transfer benchmark, in its own process: the real
 * ClientSession with the screen and input faked and files written to a temporary Downloads
 * folder. It reports its code, and the time each pointer move reached its input sink (on
 * the machine's clock: performance.timeOrigin + performance.now(), comparable between
 * processes), over IPC.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAgent } from '../../client/agent';
import { fakeHardware, RecordingSink } from '../../test/support/fake-hardware';

class ReportingSink extends RecordingSink {
  override async move(x: number, y: number): Promise<void> {
    process.send?.({ moved: y * 640 + x, at: performance.timeOrigin + performance.now() });
  }
}

async function main(): Promise<void> {
  const downloads = await mkdtemp(path.join(os.tmpdir(), 'bench-files-'));
  const { deps } = fakeHardware(process.argv[2]!, new ReportingSink());
  const agent = await createAgent({
    ...deps, consent: async () => 'control',
    onState: (state) => { if (state.kind === 'code') process.send?.({ code: state.code }); },
    streamer: { minFrameIntervalMs: 100, maxIdleIntervalMs: 1000 },
    files: {
      downloadsFolder: downloads, maxFileBytes: 8 * 1024 * 1024 * 1024,
      confirmReceive: async () => true, pickFile: async () => undefined,
      onFinished: (_info, outcome) => process.send?.({ finished: outcome }),
    },
  });
  agent.session.connect();
  process.on('disconnect', () => void agent.close().then(() => rm(downloads, { recursive: true, force: true })).then(() => process.exit(0)));
}

void main();
