/**
 * The relay for the file-transfer benchmark, in its own process (as in production: the
 * page, the relay and the agent never share an event loop). Its options come as JSON in
 * argv[2]; it answers `{ wsUrl }` over IPC and runs until killed.
 */
import { startTestRelay } from '../../test/support/relay-harness';

async function main(): Promise<void> {
  const relay = await startTestRelay(JSON.parse(process.argv[2] ?? '{}') as Record<string, number>);
  process.send?.({ wsUrl: relay.wsUrl });
  process.on('disconnect', () => void relay.close().then(() => process.exit(0)));
}

void main();
