import type { AppendOptions, AppendResult, BrokerOutbox, OutboxEntry, OutboxLimits, OutboxRead } from '../broker.js';
import { PreparedMessage } from '../../envelope/prepared-message.js';
import type { RedisContext } from './redis-context.js';
import type { RedisBus } from './redis.bus.js';
import { Batch, runScript } from './redis-scripts.js';

/** Sessions per APPEND_MANY call: bounds one script's run (Redis serves nobody else meanwhile). */
const MANY_CHUNK = 256;

/**
 * Outboxes as Redis lists (docs/redis.md, "The outbox"): seq assignment, limits and the answer
 * record are one script; a broadcast appends to many sessions per call on one Redis (one copy of
 * the body on the wire) and one script per session on a cluster. After an append the broker
 * wakes the node holding the session's link, or every other node when none holds it.
 */
export class RedisOutbox implements BrokerOutbox {
  constructor(
    private readonly ctx: RedisContext,
    private readonly bus: RedisBus,
  ) {}

  async append(sessionId: string, message: PreparedMessage, limits: OutboxLimits, options: AppendOptions): Promise<AppendResult> {
    const k = this.ctx.keys.session(sessionId);
    const reply = (await runScript(this.ctx.client, 'append', [k.record, k.outbox, k.recent], [
      entryOf(message),
      message.size,
      limits.maxMessages,
      limits.maxBytes,
      options.answers ?? '',
    ])) as [number, string];
    const wakes = new Wakes(options.origin);
    const result = resultOf(sessionId, reply[0], reply[1], wakes);
    wakes.send(this.bus);
    return result;
  }

  async appendMany(sessionIds: readonly string[], message: PreparedMessage, limits: OutboxLimits, options: AppendOptions): Promise<AppendResult[]> {
    if (sessionIds.length === 0) return [];
    const { client, keys } = this.ctx;
    const args = [entryOf(message), message.size, limits.maxMessages, limits.maxBytes];
    const batch = new Batch(client);
    if (client.isCluster) {
      for (const id of sessionIds) batch.script('append', [keys.session(id).record, keys.session(id).outbox, keys.session(id).recent], [...args, '']);
    } else {
      for (let i = 0; i < sessionIds.length; i += MANY_CHUNK) {
        const chunk = sessionIds.slice(i, i + MANY_CHUNK).flatMap((id) => [keys.session(id).record, keys.session(id).outbox]);
        batch.script('appendMany', chunk, args);
      }
    }
    const flat = ((await batch.exec()) as unknown[][]).flat() as Array<number | string>;
    const wakes = new Wakes(options.origin);
    const results = sessionIds.map((id, i) => resultOf(id, Number(flat[2 * i]), String(flat[2 * i + 1]), wakes));
    wakes.send(this.bus);
    return results;
  }

  async read(sessionId: string, afterSeq: number, limit: number): Promise<OutboxRead> {
    const k = this.ctx.keys.session(sessionId);
    const reply = (await runScript(this.ctx.client, 'read', [k.record, k.outbox], [afterSeq, limit])) as unknown[];
    if (Number(reply[0]) !== 1) return { ok: false, reason: 'missing' };
    const from = Number(reply[4]);
    const entries: OutboxEntry[] = [];
    for (let i = 5; i < reply.length; i++) entries.push({ seq: from + i - 4, message: messageOf(String(reply[i])) });
    return { ok: true, epoch: String(reply[1]), lastSeq: Number(reply[2]), trimmed: Number(reply[3]), entries };
  }

  async trim(sessionId: string, uptoSeq: number): Promise<void> {
    const k = this.ctx.keys.session(sessionId);
    await runScript(this.ctx.client, 'trim', [k.record, k.outbox], [uptoSeq]);
  }
}

/** Wake-ups to send after appends: per holder node, and to every other node for sessions with no link. */
class Wakes {
  private readonly byNode = new Map<string, string[]>();
  private readonly unheld: string[] = [];

  constructor(private readonly origin: string) {}

  add(sessionId: string, holder: string): void {
    if (holder === '') this.unheld.push(sessionId);
    else if (holder !== this.origin) {
      const ids = this.byNode.get(holder);
      if (ids === undefined) this.byNode.set(holder, [sessionId]);
      else ids.push(sessionId);
    }
  }

  send(bus: RedisBus): void {
    for (const [node, ids] of this.byNode) bus.wake(node, ids);
    if (this.unheld.length > 0) bus.wakeOthers(this.origin, this.unheld);
  }
}

function resultOf(sessionId: string, seq: number, holder: string, wakes: Wakes): AppendResult {
  if (seq === -1) return { ok: false, reason: 'missing' };
  if (seq === -2) return { ok: false, reason: 'overflow' };
  wakes.add(sessionId, holder);
  return { ok: true, seq };
}

/** An outbox entry: the size the limits count (characters), then the body's JSON tail. */
function entryOf(message: PreparedMessage): string {
  return `${message.size} ${message.jsonTail()}`;
}

/** The message again from its entry, its data neither parsed nor serialised (PreparedMessage.fromJsonTail). */
function messageOf(entry: string): PreparedMessage {
  return PreparedMessage.fromJsonTail(entry.slice(entry.indexOf(' ') + 1));
}
