import type { AttachResult, BrokerSessions, CreateResult, EndReason, LinkHolder, SessionCursors, SessionLimits, SessionLookup, SessionRecord } from '../broker.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { RedisContext } from './redis-context.js';
import { principalJson, recordArgs, recordFromReply } from './redis-record.js';
import type { RedisRooms } from './redis-rooms.js';
import type { RedisBus } from './redis.bus.js';
import { Batch, runScript } from './redis-scripts.js';
import type { SessionKeeper } from './session-keeper.js';

const LIST_CHUNK = 500;

/**
 * Session records in Redis. Each step on a record is one Lua script; the index of live sessions
 * (for `list`, `maxSessions` and the expiry sweep) is updated in the same round trip, right after.
 */
export class RedisSessions implements BrokerSessions {
  constructor(
    private readonly ctx: RedisContext,
    private readonly rooms: RedisRooms,
    private readonly bus: RedisBus,
    private readonly keeper: SessionKeeper,
  ) {}

  async create(record: SessionRecord, limits: SessionLimits): Promise<CreateResult> {
    const { client, keys, graceMs } = this.ctx;
    this.ctx.ttlHint = limits.ttlMs;
    const [indexed] = await new Batch(client)
      .script('index', [keys.index], [record.id, limits.ttlMs, '1', graceMs, limits.maxSessions])
      .script('create', keys.all(record.id), [...recordArgs(record), limits.ttlMs, graceMs])
      .exec();
    if (Number(indexed) === 1) return { ok: true };
    // Refused by the index (counted in the same round trip): the record written after it goes.
    await client.del(...keys.all(record.id));
    return { ok: false, reason: 'limit' };
  }

  async lookup(sessionId: string): Promise<SessionLookup> {
    const reply = (await runScript(this.ctx.client, 'lookup', this.ctx.keys.all(sessionId), [])) as unknown[];
    return lookupFrom(reply);
  }

  async attach(sessionId: string, holder: LinkHolder, principal: unknown): Promise<AttachResult> {
    const { client, keys, graceMs, holdMs, ttlHint } = this.ctx;
    const [reply] = (await new Batch(client)
      .script('attach', keys.all(sessionId), [holder.node, holder.link, holder.transport, principalJson(principal), holdMs, graceMs])
      .script('index', [keys.index], [sessionId, ttlHint + holdMs, '1', graceMs, 0])
      .exec()) as [unknown[]];
    if (Number(reply[0]) !== 1) return { ok: false, lookup: lookupFrom(reply) };
    this.keeper.hold(sessionId, holder);
    const [, node, link, transport, epoch, lastSeq, trimmed, inboundSeq, x] = reply as [number, string, string, string, string, number, number, number, number];
    await this.rooms.keep(reply.slice(9) as string[], x);
    return {
      ok: true,
      previous: node === '' ? undefined : { node, link, transport },
      epoch,
      lastSeq: Number(lastSeq),
      trimmed: Number(trimmed),
      inboundSeq: Number(inboundSeq),
    };
  }

  async detach(sessionId: string, holder: LinkHolder, ttlMs: number): Promise<void> {
    const { client, keys, graceMs } = this.ctx;
    this.ctx.ttlHint = ttlMs;
    this.keeper.release(sessionId, holder);
    const [reply] = (await new Batch(client)
      .script('detach', keys.all(sessionId), [holder.node, holder.link, ttlMs, graceMs])
      .script('index', [keys.index], [sessionId, ttlMs, '1', graceMs, 0])
      .exec()) as [unknown[]];
    if (Number(reply[0]) === 1) await this.rooms.keep(reply.slice(2) as string[], Number(reply[1]));
  }

  async touch(sessionId: string, ttlMs: number): Promise<SessionCursors | undefined> {
    const { client, keys, graceMs } = this.ctx;
    this.ctx.ttlHint = ttlMs;
    const [reply] = (await new Batch(client)
      .script('touch', keys.all(sessionId), [ttlMs, graceMs])
      .script('index', [keys.index], [sessionId, ttlMs, '1', graceMs, 0])
      .exec()) as [unknown[]];
    const state = Number(reply[0]);
    if (state === 0) return undefined;
    if (state === 2) await this.rooms.keep(reply.slice(6) as string[], Number(reply[5]));
    return { epoch: String(reply[1]), lastSeq: Number(reply[2]), trimmed: Number(reply[3]), inboundSeq: Number(reply[4]) };
  }

  async end(sessionId: string, reason: EndReason, ttlMs: number): Promise<boolean> {
    this.ctx.ttlHint = ttlMs;
    this.keeper.drop(sessionId);
    const reply = (await runScript(this.ctx.client, 'end', this.ctx.keys.all(sessionId), [reason, ttlMs])) as unknown[];
    const state = Number(reply[0]);
    if (state === 0) return false;
    // Past its deadline and not yet swept: it ended as expired, as the memory broker's timer would have.
    await this.forget(sessionId, reply.slice(1) as string[], state === 1 ? reason : ErrorCode.SESSION_EXPIRED);
    return state === 1;
  }

  async list(): Promise<SessionRecord[]> {
    const { client, keys } = this.ctx;
    const ids = await client.zrange(keys.index, 0, -1);
    const records: SessionRecord[] = [];
    for (let i = 0; i < ids.length; i += LIST_CHUNK) {
      const batch = new Batch(client);
      for (const id of ids.slice(i, i + LIST_CHUNK)) batch.script('lookup', keys.all(id), []);
      for (const reply of (await batch.exec()) as unknown[][]) {
        if (Number(reply[0]) === 1) records.push(recordFromReply(reply, 1));
      }
    }
    return records;
  }

  /** A session was deleted (ended or expired): out of the index and its rooms, and every node is told. */
  async forget(sessionId: string, rooms: readonly string[], reason: EndReason): Promise<void> {
    const { client, keys } = this.ctx;
    const batch = new Batch(client).command('zrem', keys.index, sessionId);
    for (const room of rooms) batch.command('srem', keys.room(room), sessionId);
    await batch.exec();
    await this.bus.publish({ kind: 'ended', sessionId, reason });
  }
}

function lookupFrom(reply: readonly unknown[]): SessionLookup {
  if (Number(reply[0]) === 1) return { state: 'live', record: recordFromReply(reply, 1) };
  return reply.length > 1 ? { state: 'ended', reason: String(reply[1]) } : { state: 'unknown' };
}
