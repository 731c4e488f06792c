/**
 * What a relay node needs to serve one address with other nodes (README "Several relay
 * nodes"). Absent, the relay is the single in-memory process it always was. main.ts reads
 * it from the environment (REDIS_URL, NODE_ID, NODE_INTERNAL_URL, CLUSTER_SECRET): the URL
 * may hold Redis's password and the secret must never show in a process list.
 */
export interface ClusterConfig {
  /** redis://[:password@]host:port[/db] of the store every node shares. */
  readonly redisUrl: string;
  /** This node's name in the store (unique per process; a random one when unset). */
  readonly nodeId: string;
  /** Where the other nodes reach this one (http://10.0.0.5:8080): its internal endpoint. */
  readonly internalUrl: string;
  /** Shared by the nodes only: the internal endpoint refuses anything without it. Also keys the hashes of codes in Redis. */
  readonly secret: string;
  /** How often this node says it is alive; it counts as dead after three missed. */
  readonly heartbeatMs: number;
}

export class ClusterConfigError extends Error {}

/** The smallest secret accepted: it guards the internal endpoint and keys code hashes. */
const MIN_SECRET_LENGTH = 16;

export function checkClusterConfig(config: ClusterConfig): ClusterConfig {
  if (!/^rediss?:\/\//.test(config.redisUrl)) throw new ClusterConfigError('REDIS_URL must start with redis:// or rediss://');
  if (config.secret.length < MIN_SECRET_LENGTH) throw new ClusterConfigError(`CLUSTER_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(config.internalUrl);
  } catch {
    throw new ClusterConfigError('NODE_INTERNAL_URL must be a URL such as http://10.0.0.5:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClusterConfigError('NODE_INTERNAL_URL must be http:// or https://');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(config.nodeId)) throw new ClusterConfigError('NODE_ID: 1–64 letters, digits, dots, dashes or underscores');
  if (!Number.isInteger(config.heartbeatMs) || config.heartbeatMs < 100) throw new ClusterConfigError('the node heartbeat must be at least 100 ms');
  return Object.freeze({ ...config, internalUrl: config.internalUrl.replace(/\/+$/, '') });
}
