// Preloaded (`node --require`) into the relay the load benchmarks start, which has no IPC
// channel: it exits when the bench that started it is gone (its parent pid changes) or
// after BENCH_MAX_LIFETIME_MS, so a crashed bench never leaves a relay running.
'use strict';
const parent = process.ppid;
const maxLifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_MS || 30 * 60 * 1000);
setInterval(() => {
  if (process.ppid !== parent) process.exit(3);
}, 1000).unref();
setTimeout(() => process.exit(3), maxLifetimeMs).unref();
