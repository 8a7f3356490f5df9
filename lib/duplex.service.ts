import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type ActionHandlerFn, ActionRouter } from './actions/action.router.js';
import type { Handshake } from './actions/duplex-context.js';
import { OutboundDelivery } from './delivery/outbound.delivery.js';
import { DUPLEX_RESOLVED_OPTIONS } from './duplex.constants.js';
import { REQUEST_TIMED_OUT, SESSION_NOT_FOUND } from './duplex.messages.js';
import type { ResolvedDuplexOptions } from './duplex-options.js';
import { DuplexError } from './envelope/duplex.error.js';
import { type EnvelopeData } from './envelope/envelope.js';
import { preparedNotification, preparedRequest } from './envelope/envelope.factory.js';
import { ErrorCode } from './envelope/error-codes.js';
import type { Session } from './sessions/session.js';
import { SessionRegistry } from './sessions/session.registry.js';

/** @publicApi */
export interface BroadcastOptions {
  /** Only these sessions (default: every session). */
  sessionIds?: Iterable<string>;
  /** Not these sessions. */
  except?: Iterable<string>;
}

/** @publicApi */
export interface RequestOptions {
  /** Default: the module's `requestTimeoutMs`. */
  timeoutMs?: number;
}

/** @publicApi */
export interface SessionInfo {
  sessionId: string;
  connected: boolean;
  transport: Handshake['transport'] | undefined;
  principal: unknown;
  /** Milliseconds since the epoch when the session lost its link; undefined while connected. */
  offlineSince: number | undefined;
}

/**
 * What applications inject to talk to clients. Every message it sends is sequenced and kept in
 * the session's outbox until acknowledged, so it reaches a client that is briefly offline.
 * @publicApi
 */
@Injectable()
export class DuplexService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly router: ActionRouter,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** Sends a notification to one session. Rejects with `session_expired` if the session is unknown. */
  async send(sessionId: string, action: string, data: EnvelopeData = {}): Promise<void> {
    const session = this.session(sessionId);
    if (!(await this.delivery.enqueue(session, preparedNotification(action, data)))) {
      throw new DuplexError(ErrorCode.OUTBOX_OVERFLOW, `Session "${sessionId}" could not take the message`);
    }
  }

  /** The seed's API: `sendMessage({ action, data }, sessionId)`. */
  async sendMessage(message: { action: string; data?: EnvelopeData }, sessionId: string): Promise<void> {
    await this.send(sessionId, message.action, message.data ?? {});
  }

  /** Asks a client and awaits its answer (a `response`'s data; an `error` rejects with its code). */
  async request(sessionId: string, action: string, data: EnvelopeData = {}, options: RequestOptions = {}): Promise<EnvelopeData> {
    const session = this.session(sessionId);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const id = randomUUID();
    const message = preparedRequest(id, action, data);
    const answer = this.registry.pending.wait(id, sessionId, timeoutMs, REQUEST_TIMED_OUT(action, timeoutMs));
    try {
      if (!(await this.delivery.enqueue(session, message))) {
        this.registry.pending.fail(id, new DuplexError(ErrorCode.OUTBOX_OVERFLOW, `Session "${sessionId}" could not take the request`));
      }
    } catch (err) {
      this.registry.pending.fail(id, new DuplexError(ErrorCode.INTERNAL, `The request could not be queued: ${String(err)}`));
    }
    return answer;
  }

  /**
   * Sends one notification to many sessions, serialised once. Resolves with the number of
   * sessions it was queued for.
   */
  async broadcast(action: string, data: EnvelopeData = {}, options: BroadcastOptions = {}): Promise<number> {
    const message = preparedNotification(action, data);
    const except = options.except === undefined ? undefined : new Set(options.except);
    const targets: Session[] = [];
    if (options.sessionIds === undefined) {
      for (const session of this.registry.all()) if (!except?.has(session.id)) targets.push(session);
    } else {
      for (const id of new Set(options.sessionIds)) {
        const session = this.registry.get(id);
        if (session !== undefined && !except?.has(id)) targets.push(session);
      }
    }
    const queued = await Promise.all(targets.map((session) => this.delivery.enqueue(session, message)));
    return queued.filter(Boolean).length;
  }

  /** Adds a handler at run time (the seed's model); it runs without Nest's guards and pipes. */
  registerCallback(action: string, handler: ActionHandlerFn): void {
    this.router.registerCallback(action, handler);
  }

  getSessions(): SessionInfo[] {
    return [...this.registry.all()].map((session) => ({
      sessionId: session.id,
      connected: session.connected,
      transport: session.link?.handshake.transport,
      principal: session.principal,
      offlineSince: session.offlineSince,
    }));
  }

  private session(sessionId: string): Session {
    const session = this.registry.get(sessionId);
    if (session === undefined) throw new DuplexError(ErrorCode.SESSION_EXPIRED, SESSION_NOT_FOUND(sessionId));
    return session;
  }
}
