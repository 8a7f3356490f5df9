/**
 * How a gRPC call's end reads to the client: its status (and the close reason that starts its
 * `details`) mapped back to the WebSocket close code of the same reason (docs/protocol.md §2,
 * docs/transports.md "Close reasons"), which is what tells the client to stop, resume or start
 * afresh. A call that ends before the server sent anything is a failed attempt, classified here
 * when its status says more than the client could guess.
 */
import { status as Status } from '@grpc/grpc-js';
import { DuplexError } from '../../../envelope/duplex.error.js';
import { ErrorCode } from '../../../envelope/error-codes.js';
import { CloseCode } from '../../close-codes.js';
import type { LinkCloseInfo } from '../client-transport.js';
import { TransportFailure } from '../transport-failure.js';

export interface CallEnd {
  code: number;
  details: string;
}

export interface LinkEnd {
  close: LinkCloseInfo;
  /** Before any message: why the attempt failed, when the status says. */
  failed?: { error: DuplexError; failure: TransportFailure };
}

/** Each server close reason, with the status the server ends the call with for it. */
const REASONS: Readonly<Record<string, { status: Status; code: number }>> = {
  normal: { status: Status.OK, code: CloseCode.NORMAL },
  shutdown: { status: Status.UNAVAILABLE, code: CloseCode.GOING_AWAY },
  handshake_timeout: { status: Status.DEADLINE_EXCEEDED, code: CloseCode.POLICY },
  protocol_error: { status: Status.INVALID_ARGUMENT, code: CloseCode.POLICY },
  too_large: { status: Status.RESOURCE_EXHAUSTED, code: CloseCode.TOO_LARGE },
  internal_error: { status: Status.INTERNAL, code: CloseCode.INTERNAL_ERROR },
  session_limit: { status: Status.RESOURCE_EXHAUSTED, code: CloseCode.TRY_AGAIN_LATER },
  taken_over: { status: Status.ABORTED, code: CloseCode.TAKEN_OVER },
  heartbeat_timeout: { status: Status.DEADLINE_EXCEEDED, code: CloseCode.HEARTBEAT_TIMEOUT },
  outbox_overflow: { status: Status.DATA_LOSS, code: CloseCode.OUTBOX_OVERFLOW },
  session_ended: { status: Status.NOT_FOUND, code: CloseCode.SESSION_ENDED },
};

/** A status whose details name no reason (another server, a proxy, grpc-js itself): its most likely reason. */
const STATUS_CODES: Readonly<Partial<Record<Status, number>>> = {
  [Status.OK]: CloseCode.NORMAL,
  [Status.UNAVAILABLE]: CloseCode.GOING_AWAY,
  [Status.DEADLINE_EXCEEDED]: CloseCode.POLICY,
  [Status.INVALID_ARGUMENT]: CloseCode.POLICY,
  [Status.RESOURCE_EXHAUSTED]: CloseCode.TOO_LARGE,
  [Status.INTERNAL]: CloseCode.INTERNAL_ERROR,
  [Status.ABORTED]: CloseCode.TAKEN_OVER,
  [Status.DATA_LOSS]: CloseCode.OUTBOX_OVERFLOW,
  [Status.NOT_FOUND]: CloseCode.SESSION_ENDED,
};

/** `taken_over: session resumed on another connection` → `taken_over`. */
function reasonName(details: string): string {
  const colon = details.indexOf(':');
  return (colon < 0 ? details : details.slice(0, colon)).trim();
}

/** The close code of a call's end: the reason in the details when the status agrees with it, else the status's own. */
export function closeCodeOf(end: CallEnd): number {
  const reason = REASONS[reasonName(end.details)];
  if (reason !== undefined && reason.status === end.code) return reason.code;
  // Anything else (CANCELLED by the peer, UNKNOWN, a reset stream) is a link that died: resume.
  return STATUS_CODES[end.code as Status] ?? CloseCode.ABNORMAL;
}

function statusText(end: CallEnd): string {
  return `${Status[end.code] ?? end.code}${end.details ? `: ${end.details}` : ''}`;
}

/** What a status that came before any message says about the attempt (undefined: nothing more than "it failed"). */
function attemptFailure(end: CallEnd, endpoint: string): LinkEnd['failed'] {
  switch (end.code) {
    case Status.UNAVAILABLE:
      return { error: new DuplexError(ErrorCode.NOT_CONNECTED, `Could not reach ${endpoint} (${statusText(end)})`), failure: TransportFailure.UNREACHABLE };
    case Status.UNAUTHENTICATED:
      return { error: new DuplexError(ErrorCode.UNAUTHENTICATED, `The server refused the connection (${statusText(end)})`, undefined, 401), failure: TransportFailure.REFUSED };
    case Status.PERMISSION_DENIED:
      return { error: new DuplexError(ErrorCode.FORBIDDEN, `The server refused the connection (${statusText(end)})`, undefined, 403), failure: TransportFailure.REFUSED };
    case Status.UNIMPLEMENTED:
      return { error: new DuplexError(ErrorCode.NOT_CONNECTED, `${endpoint} does not serve duplex.v1.Duplex (${statusText(end)})`), failure: TransportFailure.BLOCKED };
    default:
      return undefined;
  }
}

/** How a call that the server (or the network) ended reads to the client; `heard`: a message had arrived. */
export function linkEndOf(end: CallEnd, heard: boolean, endpoint: string): LinkEnd {
  const failed = heard ? undefined : attemptFailure(end, endpoint);
  const code = failed === undefined ? closeCodeOf(end) : CloseCode.ABNORMAL;
  return { close: { code, reason: end.details || (Status[end.code] ?? String(end.code)) }, failed };
}
