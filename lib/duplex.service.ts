import { Inject, Injectable } from '@nestjs/common';
import { type ActionHandlerFn, ActionRouter } from './actions/action.router.js';
import type { Handshake } from './actions/duplex-context.js';
import type { AppendResult, DuplexBroker, SessionRecord } from './brokers/broker.js';
import { BrokerUnavailableError } from './brokers/broker-unavailable.error.js';
import { OutboundDelivery } from './delivery/outbound.delivery.js';
import { DUPLEX_BROKER, DUPLEX_NODE_ID, DUPLEX_RESOLVED_OPTIONS } from './duplex.constants.js';
import { REQUEST_TIMED_OUT, SESSION_NOT_FOUND } from './duplex.messages.js';
import type { ResolvedDuplexOptions } from './duplex-options.js';
import { DuplexError } from './envelope/duplex.error.js';
import { type EnvelopeData } from './envelope/envelope.js';
import { preparedNotification, preparedRequest } from './envelope/envelope.factory.js';
import { ErrorCode } from './envelope/error-codes.js';
import { newRequestId } from './sessions/request-id.js';
import { SessionRegistry } from './sessions/session.registry.js';

/** @publicApi */
export interface BroadcastOptions {
  /** Only these sessions (default: every session, on every node). */
  sessionIds?: Iterable<string>;
  /** Only the members of these rooms (combined with `sessionIds` as a union). */
  rooms?: Iterable<string>;
  /** Not these sessions. */
  except?: Iterable<string>;
}

/** @publicApi */
export interface RequestOptions {
  /** Default: the module's `requestTimeoutMs`. */
  timeoutMs?: number;
}

/** @publicApi */
export interface SessionQuery {
  /** Only the members of this room. */
  room?: string;
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
 * What applications inject to talk to clients, on whichever node their link is. Every message it
 * sends is sequenced and kept in the session's outbox until acknowledged, so it reaches a client
 * that is briefly offline.
 * @publicApi
 */
@Injectable()
export class DuplexService {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly router: ActionRouter,
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    @Inject(DUPLEX_NODE_ID) private readonly node: string,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /**
   * Sends a notification to one session. Rejects with `session_expired` if the session is unknown,
   * `outbox_overflow` if it is full, `BrokerUnavailableError` if the broker cannot be reached.
   */
  async send(sessionId: string, action: string, data: EnvelopeData = {}): Promise<void> {
    check(sessionId, await this.delivery.enqueue(sessionId, preparedNotification(action, data)));
  }

  /** The seed's API: `sendMessage({ action, data }, sessionId)`. */
  async sendMessage(message: { action: string; data?: EnvelopeData }, sessionId: string): Promise<void> {
    await this.send(sessionId, message.action, message.data ?? {});
  }

  /** Asks a client and awaits its answer (a `response`'s data; an `error` rejects with its code). */
  async request(sessionId: string, action: string, data: EnvelopeData = {}, options: RequestOptions = {}): Promise<EnvelopeData> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const id = newRequestId(this.node);
    const answer = this.registry.pending.wait(id, sessionId, timeoutMs, REQUEST_TIMED_OUT(action, timeoutMs));
    try {
      check(sessionId, await this.delivery.enqueue(sessionId, preparedRequest(id, action, data)));
    } catch (err) {
      const error =
        err instanceof DuplexError || err instanceof BrokerUnavailableError ? err : new DuplexError(ErrorCode.INTERNAL, `The request could not be queued: ${String(err)}`);
      this.registry.pending.fail(id, error);
    }
    return answer;
  }

  /**
   * Sends one notification to many sessions (on every node), serialised once. Resolves with the
   * number of sessions it was queued for.
   */
  async broadcast(action: string, data: EnvelopeData = {}, options: BroadcastOptions = {}): Promise<number> {
    const message = preparedNotification(action, data);
    const except = options.except === undefined ? undefined : new Set(options.except);
    let targets: Iterable<string>;
    if (options.sessionIds === undefined && options.rooms === undefined) {
      targets = (await this.broker.sessions.list()).map((record) => record.id);
    } else {
      const chosen = new Set(options.sessionIds ?? []);
      for (const room of options.rooms ?? []) for (const id of await this.broker.rooms.members(room)) chosen.add(id);
      targets = chosen;
    }
    const ids: string[] = [];
    for (const id of targets) if (!except?.has(id)) ids.push(id);
    const results = await this.delivery.enqueueMany(ids, message);
    let queued = 0;
    for (const result of results) if (result.ok) queued++;
    return queued;
  }

  /** Adds a session to a room (kept across reconnects and nodes until the session ends). */
  async join(sessionId: string, room: string): Promise<void> {
    if (!(await this.broker.rooms.join(sessionId, room))) throw new DuplexError(ErrorCode.SESSION_EXPIRED, SESSION_NOT_FOUND(sessionId));
  }

  async leave(sessionId: string, room: string): Promise<void> {
    await this.broker.rooms.leave(sessionId, room);
  }

  /** Adds a handler at run time (the seed's model); it runs without Nest's guards and pipes. */
  registerCallback(action: string, handler: ActionHandlerFn): void {
    this.router.registerCallback(action, handler);
  }

  /** Every live session on every node sharing the broker, or only a room's members (`{ room }`). */
  async getSessions(query: SessionQuery = {}): Promise<SessionInfo[]> {
    if (query.room === undefined) return (await this.broker.sessions.list()).map(sessionInfo);
    const members = await this.broker.rooms.members(query.room);
    const lookups = await Promise.all(members.map((id) => this.broker.sessions.lookup(id)));
    const infos: SessionInfo[] = [];
    for (const lookup of lookups) if (lookup.state === 'live') infos.push(sessionInfo(lookup.record));
    return infos;
  }

  /** The rooms a session is in (on every node). */
  async getRooms(sessionId: string): Promise<string[]> {
    return this.broker.rooms.roomsOf(sessionId);
  }
}

function sessionInfo(record: SessionRecord): SessionInfo {
  return {
    sessionId: record.id,
    connected: record.holder !== undefined,
    transport: record.holder?.transport as Handshake['transport'] | undefined,
    principal: record.principal,
    offlineSince: record.offlineSince,
  };
}

function check(sessionId: string, result: AppendResult): void {
  if (result.ok) return;
  if (result.reason === 'missing') throw new DuplexError(ErrorCode.SESSION_EXPIRED, SESSION_NOT_FOUND(sessionId));
  throw new DuplexError(ErrorCode.OUTBOX_OVERFLOW, `Session "${sessionId}" could not take the message: its outbox is full, and it was ended`);
}
