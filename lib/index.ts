/** The public API of nest-duplex (server side). The client is `nest-duplex/client`. */
import { EnvelopeParam } from './actions/duplex-params.decorators.js';
import type { Envelope as EnvelopeShape, EnvelopeData } from './envelope/envelope.js';

export { DuplexModule } from './duplex.module.js';
export type { DuplexModuleOptions, AuthenticateFn } from './duplex-options.js';
export { DuplexService } from './duplex.service.js';
export type { BroadcastOptions, RequestOptions, SessionInfo, SessionQuery } from './duplex.service.js';
export { OnAction } from './actions/on-action.decorator.js';
export { Payload, SessionId, Connection } from './actions/duplex-params.decorators.js';
export { getDuplexContext, DUPLEX_CONTEXT_TYPE } from './actions/duplex-context.js';
export type { DuplexContext, Handshake } from './actions/duplex-context.js';
export type { ActionHandlerFn } from './actions/action.router.js';
export { MessageType, ProtocolType } from './envelope/envelope.js';
export type { EnvelopeData } from './envelope/envelope.js';
export { ErrorCode } from './envelope/error-codes.js';
export { DuplexError } from './envelope/duplex.error.js';
export type {
  DuplexBroker,
  BrokerSessions,
  BrokerOutbox,
  BrokerInbound,
  BrokerRooms,
  BrokerBus,
  SessionRecord,
  SessionLookup,
  SessionLimits,
  SessionCursors,
  LinkHolder,
  EndReason,
  CreateResult,
  AttachResult,
  OutboxLimits,
  AppendResult,
  AppendOptions,
  OutboxEntry,
  OutboxRead,
  InboundOffer,
  InboundVerdict,
  NodeEvent,
} from './brokers/broker.js';
export { BrokerUnavailableError } from './brokers/broker-unavailable.error.js';
export { MemoryBroker } from './brokers/memory/memory.broker.js';
export { RedisBroker, type RedisBrokerOptions } from './brokers/redis/redis.broker.js';
export { PreparedMessage } from './envelope/prepared-message.js';
export { SessionService } from './sessions/session.service.js';
export type { PullRequest, PullResult } from './sessions/pull.door.js';
export type { OpenRequest, OpenResult } from './sessions/open.door.js';
export type { InboundBatch, InboundBatchResult } from './sessions/inbound.door.js';
export type { Link, LinkListener } from './sessions/link.js';
export { CloseReason } from './sessions/close-reason.js';

/** The wire message (docs/protocol.md §1). */
export type Envelope<D extends EnvelopeData = EnvelopeData> = EnvelopeShape<D>;
/** Parameter decorator: the whole envelope of the message being handled. @publicApi */
export const Envelope = EnvelopeParam;
