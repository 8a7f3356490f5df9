import type {
  AppendOptions,
  AppendResult,
  AttachResult,
  BrokerInbound,
  BrokerOutbox,
  BrokerRooms,
  BrokerSessions,
  CreateResult,
  DuplexBroker,
  EndReason,
  InboundOffer,
  InboundVerdict,
  LinkHolder,
  OutboxLimits,
  OutboxRead,
  SessionCursors,
  SessionLimits,
  SessionLookup,
  SessionRecord,
} from '../broker.js';
import type { PreparedMessage } from '../../envelope/prepared-message.js';
import { MemoryBus } from './memory.bus.js';
import { MemoryOutbox } from './memory-outbox.js';
import { RecentRequests } from './recent-requests.js';

/** Everything the memory broker keeps of one live session. */
interface Entry {
  record: SessionRecord;
  outbox: MemoryOutbox;
  inboundSeq: number;
  recent: RecentRequests | undefined;
  rooms: Set<string> | undefined;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * The default broker: every session of every app in this process that shares the instance. Expiry
 * is the store's own timer (a session without a link ends after its TTL whichever node let it go);
 * ended sessions leave a tombstone so a resume is told why.
 * @publicApi
 */
export class MemoryBroker implements DuplexBroker {
  private readonly entries = new Map<string, Entry>();
  private readonly tombstones = new Map<string, { reason: EndReason; timer: NodeJS.Timeout }>();
  private readonly roomMembers = new Map<string, Set<string>>();
  readonly bus = new MemoryBus();

  readonly sessions: BrokerSessions = {
    create: async (record, limits) => this.create(record, limits),
    lookup: async (id) => this.lookup(id),
    attach: async (id, holder, principal) => this.attach(id, holder, principal),
    detach: async (id, holder, ttlMs) => this.detach(id, holder, ttlMs),
    touch: async (id, ttlMs) => this.touch(id, ttlMs),
    end: async (id, reason, ttlMs) => this.end(id, reason, ttlMs),
    list: async () => [...this.entries.values()].map((e) => e.record),
  };

  readonly outbox: BrokerOutbox = {
    append: async (id, message, limits, options) => this.append(id, message, limits, options),
    appendMany: async (ids, message, limits, options) => ids.map((id) => this.append(id, message, limits, options)),
    read: async (id, afterSeq, limit) => this.read(id, afterSeq, limit),
    trim: async (id, upto) => this.entries.get(id)?.outbox.trim(upto),
  };

  readonly inbound: BrokerInbound = {
    accept: async (id, offer) => this.accept(id, offer),
  };

  readonly rooms: BrokerRooms = {
    join: async (id, room) => this.join(id, room),
    leave: async (id, room) => this.leave(id, room),
    members: async (room) => [...(this.roomMembers.get(room) ?? [])],
    roomsOf: async (id) => [...(this.entries.get(id)?.rooms ?? [])],
  };

  async close(): Promise<void> {
    for (const entry of this.entries.values()) clearTimeout(entry.expiry);
    for (const tomb of this.tombstones.values()) clearTimeout(tomb.timer);
    this.entries.clear();
    this.tombstones.clear();
    this.roomMembers.clear();
  }

  /** Un-acked messages and characters a session holds (tests and stats). */
  usage(sessionId: string): { messages: number; bytes: number } {
    return this.entries.get(sessionId)?.outbox.usage() ?? { messages: 0, bytes: 0 };
  }

  get size(): number {
    return this.entries.size;
  }

  private create(record: SessionRecord, limits: SessionLimits): CreateResult {
    if (this.entries.size >= limits.maxSessions) return { ok: false, reason: 'limit' };
    const entry: Entry = { record, outbox: new MemoryOutbox(), inboundSeq: 0, recent: undefined, rooms: undefined, expiry: undefined };
    this.entries.set(record.id, entry);
    this.expireLater(entry, limits.ttlMs);
    return { ok: true };
  }

  private lookup(id: string): SessionLookup {
    const entry = this.entries.get(id);
    if (entry !== undefined) return { state: 'live', record: entry.record };
    const tomb = this.tombstones.get(id);
    return tomb === undefined ? { state: 'unknown' } : { state: 'ended', reason: tomb.reason };
  }

  private attach(id: string, holder: LinkHolder, principal: unknown): AttachResult {
    const entry = this.entries.get(id);
    if (entry === undefined) return { ok: false, lookup: this.lookup(id) };
    const previous = entry.record.holder;
    clearTimeout(entry.expiry);
    entry.expiry = undefined;
    entry.record = { ...entry.record, holder, principal, offlineSince: undefined };
    const { outbox } = entry;
    return { ok: true, previous, epoch: entry.record.epoch, lastSeq: outbox.lastSeq, trimmed: outbox.trimmed, inboundSeq: entry.inboundSeq };
  }

  private detach(id: string, holder: LinkHolder, ttlMs: number): void {
    const entry = this.entries.get(id);
    const current = entry?.record.holder;
    if (entry === undefined || current === undefined || current.node !== holder.node || current.link !== holder.link) return;
    entry.record = { ...entry.record, holder: undefined, offlineSince: Date.now() };
    this.expireLater(entry, ttlMs);
  }

  private touch(id: string, ttlMs: number): SessionCursors | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.record.holder === undefined) this.expireLater(entry, ttlMs);
    return { epoch: entry.record.epoch, lastSeq: entry.outbox.lastSeq, trimmed: entry.outbox.trimmed, inboundSeq: entry.inboundSeq };
  }

  private end(id: string, reason: EndReason, ttlMs: number): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    clearTimeout(entry.expiry);
    this.entries.delete(id);
    for (const room of entry.rooms ?? []) this.leave(id, room);
    const timer = setTimeout(() => this.tombstones.delete(id), ttlMs);
    timer.unref();
    this.tombstones.set(id, { reason, timer });
    void this.bus.publish({ kind: 'ended', sessionId: id, reason });
    return true;
  }

  private expireLater(entry: Entry, ttlMs: number): void {
    clearTimeout(entry.expiry);
    entry.expiry = setTimeout(() => this.end(entry.record.id, 'session_expired', ttlMs), ttlMs);
    entry.expiry.unref();
  }

  private append(id: string, message: PreparedMessage, limits: OutboxLimits, options: AppendOptions): AppendResult {
    const entry = this.entries.get(id);
    if (entry === undefined) return { ok: false, reason: 'missing' };
    const seq = entry.outbox.append(message, limits);
    if (seq === 0) return { ok: false, reason: 'overflow' };
    if (options.answers !== undefined) {
      const seen = entry.recent?.get(options.answers);
      if (seen !== undefined) seen.answerSeq = seq;
    }
    const holder = entry.record.holder;
    if (holder === undefined) {
      if (this.bus.size > 1) this.bus.wakeOthers(options.origin, id);
    } else if (holder.node !== options.origin) {
      void this.bus.send(holder.node, { kind: 'wake', sessionId: id });
    }
    return { ok: true, seq };
  }

  private read(id: string, afterSeq: number, limit: number): OutboxRead {
    const entry = this.entries.get(id);
    if (entry === undefined) return { ok: false, reason: 'missing' };
    const { outbox } = entry;
    return { ok: true, epoch: entry.record.epoch, lastSeq: outbox.lastSeq, trimmed: outbox.trimmed, entries: outbox.read(afterSeq, limit) };
  }

  private accept(id: string, offer: InboundOffer): InboundVerdict {
    const entry = this.entries.get(id);
    if (entry === undefined) return { kind: 'missing' };
    if (offer.seq !== undefined) {
      if (offer.seq <= entry.inboundSeq) return { kind: 'duplicate', inboundSeq: entry.inboundSeq };
      if (offer.seq > entry.inboundSeq + 1) return { kind: 'gap', expected: entry.inboundSeq + 1 };
      entry.inboundSeq = offer.seq;
    }
    if (offer.id !== undefined) {
      const seen = entry.recent?.get(offer.id);
      if (seen !== undefined) return { kind: 'seen', inboundSeq: entry.inboundSeq, answerSeq: seen.answerSeq };
      entry.recent ??= new RecentRequests(offer.window);
      entry.recent.add(offer.id, { answerSeq: 0 });
    }
    return { kind: 'new', inboundSeq: entry.inboundSeq };
  }

  private join(id: string, room: string): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    (entry.rooms ??= new Set()).add(room);
    let members = this.roomMembers.get(room);
    if (members === undefined) this.roomMembers.set(room, (members = new Set()));
    members.add(id);
    return true;
  }

  private leave(id: string, room: string): void {
    this.entries.get(id)?.rooms?.delete(room);
    const members = this.roomMembers.get(room);
    members?.delete(id);
    if (members?.size === 0) this.roomMembers.delete(room);
  }
}
