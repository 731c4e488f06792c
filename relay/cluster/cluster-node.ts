import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { RelayOptions } from '../options';
import { checkClusterConfig, type ClusterConfig } from './cluster-config';
import { ClusterResumeCredentials } from './cluster-resume-credentials';
import { ClusterRouter } from './cluster-router';
import { ClusterSessionRegistry } from './cluster-registry';
import { ClusterStore } from './cluster-store';
import { InternalAuth } from './internal-auth';
import { SharedAttemptLimiter } from './shared-attempt-limiter';
import { SharedRateWindow } from './shared-rate-window';
import { SharedAddressCount } from './shared-address-count';

/** A relay node's cluster parts, built together (createRelay hands them to the hub and the endpoints). */
export interface ClusterNode {
  readonly store: ClusterStore;
  readonly registry: ClusterSessionRegistry;
  readonly credentials: ClusterResumeCredentials;
  readonly limiter: SharedAttemptLimiter;
  readonly registrations: SharedRateWindow;
  readonly liveSessions: SharedAddressCount;
  readonly router: ClusterRouter;
  readonly auth: InternalAuth;
}

/** How long a node starting waits for Redis before it starts anyway (and says so). */
const REDIS_START_WAIT_MS = 5000;

export async function startClusterNode(given: ClusterConfig, options: RelayOptions, clock: Clock, logger: Logger): Promise<ClusterNode> {
  const config = checkClusterConfig(given);
  const store = new ClusterStore(config, logger);
  try {
    await store.ready(REDIS_START_WAIT_MS);
  } catch {
    logger.error({ node: config.nodeId }, 'redis does not answer: starting anyway, serving only what this node holds until it does');
  }
  const registry = new ClusterSessionRegistry(store, options.codeTtlMs, logger);
  const credentials = new ClusterResumeCredentials(store, registry, options.maxSessionAgeMs, options.maxSessions * 2, logger);
  const limiter = new SharedAttemptLimiter(store, {
    perAddress: options.codeAttemptsPerIp,
    global: options.codeAttemptsGlobal,
    globalWindowMs: options.codeAttemptWindowMs,
    cooldownMs: options.codeCooldownMs,
    maxTrackedAddresses: options.maxTrackedAddresses,
  }, logger);
  const registrations = new SharedRateWindow(store, 'registrations', options.registrationsPerIpPerMinute, 60_000, options.maxTrackedAddresses, logger);
  const liveSessions = new SharedAddressCount(store, options.maxSessionsPerIp, options.maxSessionAgeMs, options.maxTrackedAddresses, logger);
  const router = new ClusterRouter({ config, store, registry, credentials, limiter, registrations, liveSessions, clock, logger });
  return { store, registry, credentials, limiter, registrations, liveSessions, router, auth: new InternalAuth(config.secret) };
}
