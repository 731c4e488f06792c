import type { Config } from 'jest';

// SWC strips types only (fast); `npm test` runs `tsc --noEmit` first for the type check.
// The @noble packages ship ES modules only, which Jest's module system cannot load: SWC
// turns them into CommonJS like our own files (everything else in node_modules is left alone).
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  '/node_modules/@noble/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!@noble/)'];

const config: Config = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  // Desktop and browser tests start Xvfb and Chromium: give them room, but keep a bound.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/{protocol,common,relay,client,technician}/test/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      // Each finding of the hardening review, replayed as the attack against a real relay
      // on 127.0.0.1 (many source addresses: every 127.x.y.z is this machine).
      displayName: 'attacks',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/attacks/**/*.test.ts'],
    },
    {
      // Several relay nodes (issue 14): real relay processes, Redis and HAProxy on 127.0.0.1.
      displayName: 'cluster',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
    {
      // The customer's window: its page in headless Chromium, the bridge, the local page
      // server and the Neutralino extension against a stand-in of the runtime's socket.
      displayName: 'window',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/window/**/*.test.ts'],
    },
    {
      displayName: 'desktop',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/desktop/**/*.test.ts'],
    },
    {
      // The relay's database: embedded PGlite, and a real PostgreSQL the tests start (issue 16).
      displayName: 'database',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/database/**/*.test.ts'],
    },
    {
      // The Windows package under Wine on Xvfb (issue 12).
      displayName: 'wine',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/wine/**/*.test.ts'],
    },
  ],
};

export default config;
