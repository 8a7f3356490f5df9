import { CloseReason } from '../../sessions/close-reason.js';

/** The WebSocket close code of each session-layer close reason (docs/protocol.md §2). */
export const WS_CLOSE_CODES: Readonly<Record<CloseReason, number>> = {
  [CloseReason.NORMAL]: 1000,
  [CloseReason.SHUTDOWN]: 1001,
  [CloseReason.HANDSHAKE_TIMEOUT]: 1008,
  [CloseReason.PROTOCOL_ERROR]: 1008,
  [CloseReason.TOO_LARGE]: 1009,
  [CloseReason.INTERNAL_ERROR]: 1011,
  [CloseReason.SESSION_LIMIT]: 1013,
  [CloseReason.TAKEN_OVER]: 4000,
  [CloseReason.HEARTBEAT_TIMEOUT]: 4001,
  [CloseReason.OUTBOX_OVERFLOW]: 4002,
  [CloseReason.SESSION_ENDED]: 4003,
};
