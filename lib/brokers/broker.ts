/**
 * The broker seam: everything about a session that another node would need, behind one async
 * interface. The memory broker (one process, the default) and a Redis broker implement it; the
 * session layer keeps only per-node link state (the live Link, its write cursor, flow control).
 * Every call on one session resolves in the order it was made. A broker is never trusted: reads
 * report gaps and epochs so the session layer can end a session rather than skip a message.
 * @publicApi
 */
import type { Envelope } from '../envelope/envelope.js';
import type { PreparedMessage } from '../envelope/prepared-message.js';

/** The shared record of one session (docs/transports.md, "The broker seam"). */
export interface SessionRecord {
  id: string;
  /** SHA-256 of the resume token, base64url: the token itself is never stored. */
  tokenHash: string;
  /** What `identify(principal)` returned when the session was opened: a resume must match it. */
  identity: string;
  /** The principal of the latest connection (a broker that serialises it needs JSON). */
  principal: unknown;
  /** Changes whenever the session's stored state was recreated: a reader that saw another epoch has a gap. */
  epoch: string;
  createdAt: number;
  /** The node and link holding the session's live push link, if any. */
  holder?: LinkHolder;
  /** Milliseconds since the epoch when the session last lost its link; undefined while a link holds it. */
  offlineSince?: number;
}

export interface LinkHolder {
  node: string;
  link: string;
  transport: string;
}

/** Why a session ended, as a resume will be told (an `ErrorCode`). */
export type EndReason = string;

export type SessionLookup =
  | { state: 'live'; record: SessionRecord }
  | { state: 'ended'; reason: EndReason }
  | { state: 'unknown' };

export type CreateResult = { ok: true } | { ok: false; reason: 'limit' };

/** Where a session stands: its outbox epoch and cursors, and the highest client seq received. */
export interface SessionCursors {
  epoch: string;
  /** Highest server→client seq given out, and the highest the client acknowledged (trimmed). */
  lastSeq: number;
  trimmed: number;
  /** Highest client→server seq received. */
  inboundSeq: number;
}

/** What a link attaching to a session needs to know, read in the same step. */
export type AttachResult =
  | {
      ok: true;
      /** The holder before this attach (to be told it was taken over), if any. */
      previous: LinkHolder | undefined;
      epoch: string;
      /** Highest server→client seq given out, and the highest the client acknowledged (trimmed). */
      lastSeq: number;
      trimmed: number;
      /** Highest client→server seq received. */
      inboundSeq: number;
    }
  | { ok: false; lookup: SessionLookup };

export interface SessionLimits {
  /** Sessions the broker holds at most; `create` refuses past it. */
  maxSessions: number;
  /** How long a session without a live link is kept. */
  ttlMs: number;
}

export interface BrokerSessions {
  /** Stores a new session (offline until a link attaches; it expires after `ttlMs` if none does). */
  create(record: SessionRecord, limits: SessionLimits): Promise<CreateResult>;
  lookup(sessionId: string): Promise<SessionLookup>;
  /** Makes `holder` the session's live link, with the new principal, and reads the cursors. */
  attach(sessionId: string, holder: LinkHolder, principal: unknown): Promise<AttachResult>;
  /** The link `holder` ended: the session is offline from now and expires after `ttlMs`. No-op if another link holds it. */
  detach(sessionId: string, holder: LinkHolder, ttlMs: number): Promise<void>;
  /**
   * Keeps a session that is served without a push link (pull transports) alive for another `ttlMs`,
   * and reads its cursors (as `attach` does); undefined when the session is not live.
   */
  touch(sessionId: string, ttlMs: number): Promise<SessionCursors | undefined>;
  /**
   * Ends a session everywhere: record, outbox, inbound state and rooms are deleted, a resume is told
   * `reason` for `ttlMs`, and every node gets an `ended` event. False if it was not live.
   */
  end(sessionId: string, reason: EndReason, ttlMs: number): Promise<boolean>;
  /** Every live session (all nodes). */
  list(): Promise<SessionRecord[]>;
}

export interface OutboxLimits {
  maxMessages: number;
  /** Characters of serialised JSON. */
  maxBytes: number;
}

export type AppendResult = { ok: true; seq: number } | { ok: false; reason: 'overflow' | 'missing' };

export interface AppendOptions {
  /** The node appending: the broker wakes the other nodes that may hold a link or waiter of the session. */
  origin: string;
  /** The id of the client request this message answers: kept with the id for de-duplication. */
  answers?: string;
}

/** One sequenced message waiting in a session's outbox. */
export interface OutboxEntry {
  seq: number;
  message: PreparedMessage;
}

export type OutboxRead =
  | { ok: true; epoch: string; lastSeq: number; trimmed: number; entries: OutboxEntry[] }
  | { ok: false; reason: 'missing' };

export interface BrokerOutbox {
  /** Gives the message the session's next seq (atomically) and keeps it; refuses past the limits. */
  append(sessionId: string, message: PreparedMessage, limits: OutboxLimits, options: AppendOptions): Promise<AppendResult>;
  /**
   * The same message to many sessions in one step (a broadcast): one result per id, in order, as
   * `append` would give. A broker may store the message once and queue references.
   */
  appendMany(sessionIds: readonly string[], message: PreparedMessage, limits: OutboxLimits, options: AppendOptions): Promise<AppendResult[]>;
  /** Up to `limit` entries with seq > afterSeq (and > trimmed), in order, with the outbox's cursors. */
  read(sessionId: string, afterSeq: number, limit: number): Promise<OutboxRead>;
  /** Forgets entries with seq ≤ min(uptoSeq, lastSeq): the client acknowledged them. */
  trim(sessionId: string, uptoSeq: number): Promise<void>;
}

/** What became of a client message offered to the inbound ledger. */
export type InboundVerdict =
  | { kind: 'new'; inboundSeq: number }
  /** Its seq was received before: drop it, ack again. */
  | { kind: 'duplicate'; inboundSeq: number }
  /** Its id is in the de-dup window: never run again; `answerSeq` is its answer's seq (0 while running). */
  | { kind: 'seen'; inboundSeq: number; answerSeq: number }
  /** Its seq skips ahead of `expected`. */
  | { kind: 'gap'; expected: number }
  | { kind: 'missing' };

export interface InboundOffer {
  /** The client's seq, if the message is sequenced. */
  seq?: number;
  /** The message id, for requests and notifications (de-duplicated within `window` ids). */
  id?: string;
  window: number;
}

export interface BrokerInbound {
  /** Checks and records a client message in one step: seq order, then id de-duplication. */
  accept(sessionId: string, offer: InboundOffer): Promise<InboundVerdict>;
}

export interface BrokerRooms {
  join(sessionId: string, room: string): Promise<boolean>;
  leave(sessionId: string, room: string): Promise<void>;
  members(room: string): Promise<string[]>;
  roomsOf(sessionId: string): Promise<string[]>;
}

/** Node-to-node events. */
export type NodeEvent =
  /** Something was appended to the session's outbox on another node. */
  | { kind: 'wake'; sessionId: string }
  /** The session's link `link` on the receiving node was taken over by a newer one. */
  | { kind: 'takeover'; sessionId: string; link: string }
  /** The session ended (every node). */
  | { kind: 'ended'; sessionId: string; reason: EndReason }
  /** A client's answer to a `DuplexService.request()` made on the receiving node. */
  | { kind: 'answer'; sessionId: string; envelope: Envelope };

export interface BrokerBus {
  /** Starts delivering events addressed to `node` (and to every node) to `listener`. */
  join(node: string, listener: (event: NodeEvent) => void): Promise<void>;
  leave(node: string): Promise<void>;
  /** To one node. */
  send(node: string, event: NodeEvent): Promise<void>;
  /** To every node. */
  publish(event: NodeEvent): Promise<void>;
}

/** @publicApi */
export interface DuplexBroker {
  readonly sessions: BrokerSessions;
  readonly outbox: BrokerOutbox;
  readonly inbound: BrokerInbound;
  readonly rooms: BrokerRooms;
  readonly bus: BrokerBus;
  /** Called when the last node using it shuts down. */
  close?(): Promise<void>;
}
