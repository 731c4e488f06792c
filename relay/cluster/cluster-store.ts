import { createHash, createHmac, randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Role } from '../../protocol';
import type { AdoptedSession } from '../hub';
import type { ClusterConfig } from './cluster-config';

/**
 * What the store keeps of a paired resumable session, so another node can take it over
 * when its node dies: exactly what the hub needs to adopt it.
 */
export type SessionMeta = AdoptedSession;

/** A resume credential's grant as the store has it: the side, and the session's reference (a hash, never its id). */
export type StoredGrant = { readonly role: Role; readonly ref: string } | 'ended' | undefined;

/** The shared limiter's view of one address: its guesses in the window, its block, and whether everyone is on alert. */
export interface GuessState {
  readonly guesses: readonly number[];
  readonly blockedUntil: number;
  readonly wrongInGlobalWindow: number;
}

export interface GuessRule {
  readonly windowMs: number;
  readonly perAddress: number;
  readonly cooldownMs: number;
  readonly globalWindowMs: number;
  readonly global: number;
}

const PREFIX = 'ce:';

/** Deletes a key only while it still names this node (a code or a legacy peer another node took since stays). */
const DELETE_IF_MINE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Moves a session to this node only if the node it names is the one found dead: two nodes never both take it. */
const ADOPT_SESSION = `if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then redis.call('HSET', KEYS[1], 'node', ARGV[2]) return 1 end return 0`;

/**
 * A side's new credential: the previous one of that side stops working (deleted), the new
 * one names the session, and the session remembers it (so `revoke` can find both sides').
 */
const ISSUE_CREDENTIAL = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous then redis.call('DEL', '${PREFIX}rc:' .. previous) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', '${PREFIX}rc:' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1`;

/** The session ended: its credentials become "ended" for a while (a late side learns it ended), the session goes. */
const REVOKE_SESSION = `
for _, field in ipairs({'rc:client', 'rc:technician'}) do
  local key = redis.call('HGET', KEYS[1], field)
  if key then
    if tonumber(ARGV[1]) > 0 then redis.call('SET', '${PREFIX}rc:' .. key, 'ended', 'PX', ARGV[1]) else redis.call('DEL', '${PREFIX}rc:' .. key) end
  end
end
return redis.call('DEL', KEYS[1])`;

/** One guess by an address, counted for the whole cluster (the same rules as AttemptLimiter, in one atomic step). */
const RECORD_GUESS = `
local now = tonumber(ARGV[1]); local window = tonumber(ARGV[2]); local per = tonumber(ARGV[3])
local cooldown = tonumber(ARGV[4]); local wrong = ARGV[5]; local gwindow = tonumber(ARGV[6]); local global = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('PEXPIRE', KEYS[1], window)
if redis.call('ZCARD', KEYS[1]) >= per then
  if cooldown > 0 then redis.call('SET', KEYS[2], now + cooldown, 'PX', cooldown) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(per + 1))
end
if wrong == '1' then
  redis.call('ZADD', KEYS[3], now, ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - gwindow)
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(global + 1))
  redis.call('PEXPIRE', KEYS[3], gwindow)
end
return 1`;

/** An address's guesses within the window, its block, and the wrong guesses of everyone within the global window. */
const READ_GUESSES = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local guesses = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local blocked = redis.call('GET', KEYS[2]) or '0'
local wrong = redis.call('ZCOUNT', KEYS[3], '(' .. (now - tonumber(ARGV[3])), '+inf')
return {guesses, blocked, wrong}`;

/** One event of a key within a sliding window (registrations per address per minute). */
const WINDOW_ADD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** A key's events within the window, oldest first. */
const WINDOW_READ = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')`;

/**
 * The live sessions of an address on every node but this one (ARGV[1]): each node keeps
 * its own count in one field, so a dead node's field is dropped rather than counted.
 */
const OTHERS_LIVE = `
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local node = fields[i]
  if node ~= ARGV[1] then
    if redis.call('EXISTS', '${PREFIX}node:' .. node) == 1 then total = total + tonumber(fields[i + 1])
    else redis.call('HDEL', KEYS[1], node) end
  end
end
return total`;

/** This node's count of an address's live sessions, changed by ARGV[2]; the field goes at 0. */
const CHANGE_LIVE = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n`;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Every Redis operation of a relay node (issue 14 item 2). Nothing here holds a usable
 * secret: access codes and addresses are keyed by an HMAC under the cluster secret,
 * resume credentials by their SHA-256 (the same key the in-memory store uses), sessions
 * and legacy peers by the SHA-256 of their ids. Frames and input never come here.
 *
 * Commands fail fast while Redis is away (no offline queue): callers fall back to what
 * this node knows, and `/healthz` says so.
 */
export class ClusterStore {
  readonly redis: Redis;
  private connected = false;
  private readonly log: Logger;

  constructor(readonly config: ClusterConfig, logger: Logger) {
    this.log = logger.child({ area: 'cluster' });
    this.redis = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Keep trying, never faster than twice a second: a node outlives a Redis restart.
      retryStrategy: (attempt) => Math.min(100 * attempt, 500),
    });
    this.redis.on('ready', () => {
      if (!this.connected) this.log.info('redis connected');
      this.connected = true;
    });
    this.redis.on('error', (err: Error) => {
      if (this.connected) this.log.error({ err: err.message }, 'redis unreachable: serving the sessions this node holds, new cross-node work refused');
      this.connected = false;
    });
    this.redis.on('close', () => {
      if (this.connected) this.log.error('redis connection closed: serving the sessions this node holds');
      this.connected = false;
    });
  }

  /** Whether the store answers now (for /healthz). */
  get up(): boolean {
    return this.connected && this.redis.status === 'ready';
  }

  /** Resolves once connected, or rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    if (this.up) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error('redis did not answer in time'));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  /** This node is no longer alive for the others (its heartbeat key goes now rather than lapse). */
  async leave(): Promise<void> {
    try {
      await this.redis.del(this.nodeKey(this.config.nodeId));
    } catch {
      // Redis away: the heartbeat key lapses by itself.
    }
  }

  async close(): Promise<void> {
    await this.leave();
    this.redis.disconnect();
  }

  // ---- node liveness -----------------------------------------------------------

  async heartbeat(): Promise<void> {
    await this.redis.set(this.nodeKey(this.config.nodeId), this.config.internalUrl, 'PX', this.config.heartbeatMs * 3);
  }

  /** A node's internal URL while it is alive (its heartbeat has not lapsed); undefined when dead. */
  async nodeUrl(nodeId: string): Promise<string | undefined> {
    return (await this.redis.get(this.nodeKey(nodeId))) ?? undefined;
  }

  // ---- the session directory: code → node ---------------------------------------

  /** Claims a code for this node; false when another node holds it. */
  async claimCode(code: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.codeKey(code), this.config.nodeId, 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async releaseCode(code: string): Promise<void> {
    await this.redis.eval(DELETE_IF_MINE, 1, this.codeKey(code), this.config.nodeId);
  }

  async codeOwner(code: string): Promise<string | undefined> {
    return (await this.redis.get(this.codeKey(code))) ?? undefined;
  }

  // ---- resumable sessions and their credentials -----------------------------------

  /** A session's reference in the store: the hash of its id (the id itself never leaves the node). */
  static refOf(sessionId: string): string {
    return sha256(`session:${sessionId}`);
  }

  async putSession(ref: string, meta: SessionMeta, ttlMs: number): Promise<void> {
    await this.redis.multi().hset(this.sessionKey(ref), 'node', this.config.nodeId, 'meta', JSON.stringify(meta)).pexpire(this.sessionKey(ref), ttlMs).exec();
  }

  async session(ref: string): Promise<{ readonly node: string; readonly meta: SessionMeta } | undefined> {
    const [node, meta] = await this.redis.hmget(this.sessionKey(ref), 'node', 'meta');
    if (node === null || node === undefined || meta === null || meta === undefined) return undefined;
    try {
      return { node, meta: JSON.parse(meta) as SessionMeta };
    } catch {
      return undefined;
    }
  }

  /** Takes over a session whose node `deadNode` died; false when another node did first. */
  async adoptSession(ref: string, deadNode: string): Promise<boolean> {
    return (await this.redis.eval(ADOPT_SESSION, 1, this.sessionKey(ref), deadNode, this.config.nodeId)) === 1;
  }

  async issueCredential(ref: string, role: Role, tokenKey: string, ttlMs: number): Promise<void> {
    await this.redis.eval(ISSUE_CREDENTIAL, 1, this.sessionKey(ref), `rc:${role}`, tokenKey, `${role} ${ref}`, Math.max(1, ttlMs));
  }

  async credential(tokenKey: string): Promise<StoredGrant> {
    const value = await this.redis.get(this.credentialKey(tokenKey));
    if (value === null) return undefined;
    if (value === 'ended') return 'ended';
    const [role, ref] = value.split(' ');
    if ((role !== 'client' && role !== 'technician') || ref === undefined) return undefined;
    return { role, ref };
  }

  async spendCredential(tokenKey: string): Promise<void> {
    await this.redis.del(this.credentialKey(tokenKey));
  }

  async revokeSession(ref: string, keepMs: number): Promise<void> {
    await this.redis.eval(REVOKE_SESSION, 1, this.sessionKey(ref), Math.max(0, Math.floor(keepMs)));
  }

  // ---- legacy polling peers: id → node --------------------------------------------

  async putLegacyPeer(peerId: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.legacyKey(peerId), this.config.nodeId, 'PX', Math.max(1, ttlMs));
  }

  async legacyPeerOwner(peerId: string): Promise<string | undefined> {
    return (await this.redis.get(this.legacyKey(peerId))) ?? undefined;
  }

  async dropLegacyPeer(peerId: string): Promise<void> {
    await this.redis.eval(DELETE_IF_MINE, 1, this.legacyKey(peerId), this.config.nodeId);
  }

  // ---- guessing, counted for the whole cluster --------------------------------------

  async recordGuess(addressKey: string, now: number, wrong: boolean, rule: GuessRule): Promise<void> {
    const member = `${now}:${randomBytes(6).toString('hex')}`;
    await this.redis.eval(RECORD_GUESS, 3, this.guessKey(addressKey), this.blockKey(addressKey), `${PREFIX}wrong`,
      now, rule.windowMs, rule.perAddress, rule.cooldownMs, wrong ? '1' : '0', rule.globalWindowMs, rule.global, member);
  }

  async guessState(addressKey: string, now: number, rule: GuessRule): Promise<GuessState> {
    const [pairs, blocked, wrong] = await this.redis.eval(READ_GUESSES, 3, this.guessKey(addressKey), this.blockKey(addressKey), `${PREFIX}wrong`,
      now, rule.windowMs, rule.globalWindowMs) as [string[], string, number];
    const guesses: number[] = [];
    for (let i = 1; i < pairs.length; i += 2) guesses.push(Number(pairs[i]));
    return { guesses, blockedUntil: Number(blocked) || 0, wrongInGlobalWindow: Number(wrong) || 0 };
  }

  // ---- sliding windows, counted for the whole cluster ---------------------------------

  async windowAdd(kind: string, key: string, now: number, windowMs: number): Promise<void> {
    await this.redis.eval(WINDOW_ADD, 1, this.keyed(kind, key), now, windowMs, `${now}:${randomBytes(6).toString('hex')}`);
  }

  async windowRead(kind: string, key: string, now: number, windowMs: number): Promise<number[]> {
    const pairs = await this.redis.eval(WINDOW_READ, 1, this.keyed(kind, key), now, windowMs) as string[];
    const times: number[] = [];
    for (let i = 1; i < pairs.length; i += 2) times.push(Number(pairs[i]));
    return times;
  }

  // ---- live sessions per address, per node ---------------------------------------------

  async othersLive(addressKey: string): Promise<number> {
    return Number(await this.redis.eval(OTHERS_LIVE, 1, this.keyed('live', addressKey), this.config.nodeId)) || 0;
  }

  async changeLive(addressKey: string, by: number, ttlMs: number): Promise<void> {
    await this.redis.eval(CHANGE_LIVE, 1, this.keyed('live', addressKey), this.config.nodeId, by, Math.max(1, ttlMs));
  }

  // ---- keys ----------------------------------------------------------------------

  private keyed(kind: string, value: string): string {
    return `${PREFIX}${kind}:${createHmac('sha256', this.config.secret).update(`${kind}:${value}`).digest('base64url')}`;
  }

  private nodeKey(nodeId: string): string {
    return `${PREFIX}node:${nodeId}`;
  }

  private codeKey(code: string): string {
    return this.keyed('code', code);
  }

  private sessionKey(ref: string): string {
    return `${PREFIX}sess:${ref}`;
  }

  private credentialKey(tokenKey: string): string {
    return `${PREFIX}rc:${tokenKey}`;
  }

  private legacyKey(peerId: string): string {
    return `${PREFIX}lp:${sha256(`legacy:${peerId}`)}`;
  }

  private guessKey(addressKey: string): string {
    return this.keyed('guess', addressKey);
  }

  private blockKey(addressKey: string): string {
    return this.keyed('block', addressKey);
  }
}
