import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { DuplexBroker, LinkHolder } from '../../brokers/broker.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { SessionRegistry } from '../../sessions/session.registry.js';
import type { SessionProof } from './http-credentials.js';
import { HeldRequests } from './held-requests.js';

const PULL_TRANSPORTS: ReadonlySet<string> = new Set([ProtocolType.SSE, ProtocolType.LONG_POLLING]);

/** Ends the presence a held request gave its session. */
export type LeavePresence = () => void;

/**
 * When a long-poll or SSE session counts as connected (`DuplexService.getSessions()`): while one of
 * its polls or streams is held, and for `heartbeat.intervalMs + timeoutMs` after the last one
 * ended; then it is offline and its TTL runs. Kept in the broker like a push link's: the held
 * request attaches a holder of its own (node, a fresh link id, the transport), so wake-ups from
 * other nodes come to the node holding it; a later detach of an older holder changes nothing.
 */
@Injectable()
export class PullPresence implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PullPresence.name);
  /** Holders whose request ended here, detached when their grace runs out (or at shutdown). */
  private readonly lingering = new Map<string, { holder: LinkHolder; timer: NodeJS.Timeout }>();

  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    private readonly registry: SessionRegistry,
    private readonly held: HeldRequests,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** Proves the session (constant-time, in the session layer) and marks it connected until the returned function is called. */
  async enter(proof: SessionProof, transport: ProtocolType): Promise<LeavePresence | DuplexError> {
    const record = await this.registry.verify(proof.sessionId, proof.token);
    if (record instanceof DuplexError) return record;
    // A push link (WebSocket, gRPC) holds it: connected anyway, and its holder must stay in place.
    if (record.holder !== undefined && !PULL_TRANSPORTS.has(record.holder.transport)) return () => undefined;
    this.forget(proof.sessionId);
    const holder: LinkHolder = { node: this.node, link: randomBytes(9).toString('base64url'), transport };
    const attached = await this.broker.sessions.attach(proof.sessionId, holder, record.principal);
    if (!attached.ok) return new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session has ended');
    return () => this.linger(proof.sessionId, holder);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.held.beforeApplicationShutdown();
    const all = [...this.lingering.entries()];
    this.lingering.clear();
    await Promise.all(all.map(([sessionId, { holder, timer }]) => {
      clearTimeout(timer);
      return this.detach(sessionId, holder);
    }));
  }

  private linger(sessionId: string, holder: LinkHolder): void {
    this.forget(sessionId);
    const { intervalMs, timeoutMs } = this.options.heartbeat;
    const timer = setTimeout(() => {
      if (this.lingering.get(sessionId)?.holder === holder) this.lingering.delete(sessionId);
      void this.detach(sessionId, holder);
      // setTimeout fires at once past 2^31-1 ms; each option is capped there, their sum is not.
    }, Math.min(intervalMs + timeoutMs, 2 ** 31 - 1));
    timer.unref();
    this.lingering.set(sessionId, { holder, timer });
  }

  private forget(sessionId: string): void {
    const entry = this.lingering.get(sessionId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.lingering.delete(sessionId);
  }

  private async detach(sessionId: string, holder: LinkHolder): Promise<void> {
    try {
      await this.broker.sessions.detach(sessionId, holder, this.options.session.ttlMs);
    } catch (err) {
      this.logger.warn(`Marking session ${sessionId} offline failed: ${String(err)}`);
    }
  }
}
