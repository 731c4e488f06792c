import { checkClusterConfig, ClusterConfigError, type ClusterConfig } from '../cluster/cluster-config';

const GOOD: ClusterConfig = {
  redisUrl: 'redis://127.0.0.1:6379', nodeId: 'node-1', internalUrl: 'http://10.0.0.5:8080/', secret: 'a-secret-of-sixteen+', heartbeatMs: 1000,
};

describe('cluster configuration (REDIS_URL and the node settings)', () => {
  test('a good one is frozen, with the internal URL without its trailing slash', () => {
    const config = checkClusterConfig(GOOD);
    expect(config.internalUrl).toBe('http://10.0.0.5:8080');
    expect(Object.isFrozen(config)).toBe(true);
  });

  test.each([
    ['a Redis URL of another scheme', { redisUrl: 'http://127.0.0.1:6379' }],
    ['a short secret', { secret: 'short' }],
    ['an internal URL that is not one', { internalUrl: 'not a url' }],
    ['an internal URL of another scheme', { internalUrl: 'ftp://10.0.0.5' }],
    ['a node id with spaces', { nodeId: 'node 1' }],
    ['a node id too long', { nodeId: 'n'.repeat(65) }],
    ['a heartbeat too fast', { heartbeatMs: 10 }],
    ['a heartbeat that is not a number', { heartbeatMs: Number.NaN }],
  ])('refuses %s', (_what, change) => {
    expect(() => checkClusterConfig({ ...GOOD, ...change })).toThrow(ClusterConfigError);
  });
});
