import { status } from '@grpc/grpc-js';
import { CloseReason } from '../../sessions/close-reason.js';

/** The gRPC status a call ends with for each session-layer close reason (docs/transports.md). */
export const GRPC_STATUS: Readonly<Record<CloseReason, status>> = {
  [CloseReason.NORMAL]: status.OK,
  [CloseReason.SHUTDOWN]: status.UNAVAILABLE,
  [CloseReason.HANDSHAKE_TIMEOUT]: status.DEADLINE_EXCEEDED,
  [CloseReason.PROTOCOL_ERROR]: status.INVALID_ARGUMENT,
  [CloseReason.TOO_LARGE]: status.RESOURCE_EXHAUSTED,
  [CloseReason.INTERNAL_ERROR]: status.INTERNAL,
  [CloseReason.SESSION_LIMIT]: status.RESOURCE_EXHAUSTED,
  [CloseReason.TAKEN_OVER]: status.ABORTED,
  [CloseReason.HEARTBEAT_TIMEOUT]: status.DEADLINE_EXCEEDED,
  [CloseReason.OUTBOX_OVERFLOW]: status.DATA_LOSS,
  [CloseReason.SESSION_ENDED]: status.NOT_FOUND,
};
