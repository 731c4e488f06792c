import type { Logger } from 'pino';
import { Errors, type ErrorSpec } from '../../protocol';
import { randomSessionId } from '../access-codes';
import { addressKey } from '../client-address';
import type { Clock } from '../clock';
import type { Hub } from '../hub';
import { credentialKey } from '../resume-credentials';
import type { ClusterConfig } from './cluster-config';
import type { ClusterResumeCredentials } from './cluster-resume-credentials';
import type { ClusterSessionRegistry } from './cluster-registry';
import type { ClusterStore } from './cluster-store';
import type { SharedAttemptLimiter } from './shared-attempt-limiter';
import type { SharedRateWindow } from './shared-rate-window';
import type { SharedAddressCount } from './shared-address-count';

/** Where a peer's request is served: here, on the node that holds its session, or nowhere. */
export type Route =
  | { readonly kind: 'here' }
  | { readonly kind: 'node'; readonly nodeId: string; readonly url: string }
  | { readonly kind: 'refuse'; readonly error: ErrorSpec };

const HERE: Route = Object.freeze({ kind: 'here' });

/** How long a node that did not answer counts as dead here, whatever its heartbeat says. */
const UNREACHABLE_MEMORY_MS = 60_000;

export interface ClusterRouterDeps {
  readonly config: ClusterConfig;
  readonly store: ClusterStore;
  readonly registry: ClusterSessionRegistry;
  readonly credentials: ClusterResumeCredentials;
  readonly limiter: SharedAttemptLimiter;
  readonly registrations: SharedRateWindow;
  readonly liveSessions: SharedAddressCount;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Decides, for each request that names a code, a resume credential or a legacy peer,
 * which node serves it (issue 14 items 2 and 3). Before any guess is heard, the address's
 * cluster-wide count is loaded (so the hub's checks see every node's guesses). A session
 * whose node died is taken over here by the first of its sides to resume.
 *
 * When Redis does not answer, the request is served here: a node keeps serving what it
 * holds, and a code or credential of another node is then refused like a wrong one.
 */
export class ClusterRouter {
  private hub: Hub | undefined;
  /** Nodes that did not answer a link lately, and until when they count as dead here. */
  private readonly unreachable = new Map<string, number>();
  /** Sessions taken over here: the store's reference → this node's id for it. */
  private readonly adoptedIds = new Map<string, string>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: ClusterRouterDeps) {
    this.log = deps.logger.child({ area: 'cluster' });
  }

  get nodeId(): string {
    return this.deps.config.nodeId;
  }

  get secret(): string {
    return this.deps.config.secret;
  }

  get redisUp(): boolean {
    return this.deps.store.up;
  }

  /** The hub exists after the router (it takes the router's registry): wired once. */
  attach(hub: Hub): void {
    this.hub = hub;
  }

  start(): void {
    const beat = (): void => {
      this.deps.store.heartbeat().catch(() => undefined); // Redis away: logged once by the store
    };
    beat();
    this.heartbeatTimer = setInterval(beat, this.deps.config.heartbeatMs);
  }

  /** This node stops answering for anything: the other nodes take its sessions over from now on. */
  async leave(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.deps.store.leave();
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.deps.store.close();
  }

  /** A code was bound here: whether the directory let this node have it (asked before the code is shown). */
  claimed(code: string): Promise<boolean> {
    return this.deps.registry.claimed(code);
  }

  /** A technician's `join` (or a legacy `connect_technician`) with `code`, from `address`. */
  async routeJoin(code: string, address: string, relayed: boolean): Promise<Route> {
    await this.prepare(address);
    if (relayed || this.deps.registry.hasCode(code)) return HERE;
    return this.toOwner(await this.deps.store.codeOwner(code).catch(() => undefined));
  }

  /** Before a registration or a new code is heard: the address's registrations and live sessions on every node. */
  async prepareRegistration(address: string): Promise<void> {
    const key = addressKey(address);
    await Promise.all([this.deps.registrations.prepare(key, this.deps.clock.now()), this.deps.liveSessions.prepare(key)]);
  }

  /** A legacy client's `register_client` with a code of its own: another node's live code is taken there. */
  async routeRegister(code: string, address: string, relayed: boolean): Promise<Route> {
    await Promise.all([this.prepare(address), this.prepareRegistration(address)]);
    if (relayed || this.deps.registry.hasCode(code)) return HERE;
    return this.toOwner(await this.deps.store.codeOwner(code).catch(() => undefined));
  }

  /** A legacy peer's call naming its `session_id`: served by the node that holds the peer. */
  async routeLegacyPeer(peerId: string, knownHere: boolean, relayed: boolean): Promise<Route> {
    if (relayed || knownHere) return HERE;
    return this.toOwner(await this.deps.store.legacyPeerOwner(peerId).catch(() => undefined));
  }

  legacyPeerKnown(peerId: string, ttlMs: number): void {
    this.deps.store.putLegacyPeer(peerId, ttlMs).catch(() => undefined);
  }

  legacyPeerGone(peerId: string): void {
    this.deps.store.dropLegacyPeer(peerId).catch(() => undefined);
  }

  /**
   * A `resume` with `token`: served where its session lives; when that node is dead, the
   * session is taken over here (once: the store's compare-and-set decides between nodes).
   */
  async routeResume(token: string, address: string, relayed: boolean): Promise<Route> {
    await this.prepare(address);
    const hub = this.hub;
    if (hub === undefined) return HERE;
    let grant;
    try {
      grant = await this.deps.store.credential(credentialKey(token));
    } catch {
      return HERE;
    }
    if (grant === undefined) return HERE; // unknown: the hub refuses it and counts the guess
    if (grant === 'ended') return { kind: 'refuse', error: Errors.RESUME_EXPIRED };
    const record = await this.deps.store.session(grant.ref).catch(() => undefined);
    if (record === undefined) return HERE;
    if (record.node === this.nodeId) {
      this.acceptAdopted(grant.ref, token, grant.role);
      return HERE;
    }
    if (relayed) return HERE;
    const url = this.isUnreachable(record.node) ? undefined : await this.deps.store.nodeUrl(record.node).catch(() => undefined);
    if (url !== undefined) return { kind: 'node', nodeId: record.node, url };
    // Its node is dead: this node takes the session over, unless another node did first.
    if (await this.deps.store.adoptSession(grant.ref, record.node).catch(() => false)) {
      const id = randomSessionId();
      hub.adopt(id, record.meta);
      this.deps.credentials.adopted(id, grant.ref);
      this.adoptedIds.set(grant.ref, id);
      this.acceptAdopted(grant.ref, token, grant.role);
      return HERE;
    }
    // Another resume took it over first; it may have been this node's own, for the other side.
    const again = await this.deps.store.session(grant.ref).catch(() => undefined);
    if (again === undefined) return HERE;
    if (again.node === this.nodeId) {
      this.acceptAdopted(grant.ref, token, grant.role);
      return HERE;
    }
    return this.toOwner(again.node);
  }

  /** A link to `nodeId` failed: it counts as dead here for a while (its heartbeat may not have lapsed yet). */
  nodeUnreachable(nodeId: string): void {
    this.unreachable.set(nodeId, this.deps.clock.now() + UNREACHABLE_MEMORY_MS);
    this.log.warn({ node: nodeId }, 'a node did not answer: taken as dead');
  }

  /** A session taken over here ended: forget its reference. */
  sweep(): void {
    const hub = this.hub;
    if (hub === undefined) return;
    for (const [ref, id] of this.adoptedIds) if (hub.registry.byId(id) === undefined) this.adoptedIds.delete(ref);
    const now = this.deps.clock.now();
    for (const [node, until] of this.unreachable) if (until <= now) this.unreachable.delete(node);
  }

  private acceptAdopted(ref: string, token: string, role: 'client' | 'technician'): void {
    const id = this.adoptedIds.get(ref);
    if (id !== undefined) this.deps.credentials.accept(token, { sessionId: id, role });
  }

  private async toOwner(owner: string | undefined): Promise<Route> {
    if (owner === undefined || owner === this.nodeId || this.isUnreachable(owner)) return HERE;
    const url = await this.deps.store.nodeUrl(owner).catch(() => undefined);
    return url === undefined ? HERE : { kind: 'node', nodeId: owner, url };
  }

  private isUnreachable(nodeId: string): boolean {
    return (this.unreachable.get(nodeId) ?? 0) > this.deps.clock.now();
  }

  private prepare(address: string): Promise<void> {
    return this.deps.limiter.prepare(addressKey(address), this.deps.clock.now());
  }
}
