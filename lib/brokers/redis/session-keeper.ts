import { Logger } from '@nestjs/common';
import type { EndReason, LinkHolder } from '../broker.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { RedisContext } from './redis-context.js';
import type { RedisRooms } from './redis-rooms.js';
import type { RedisBus } from './redis.bus.js';
import { Batch, runScript } from './redis-scripts.js';

const CHUNK = 500;

/**
 * Keeps session expiry in the store, as the memory broker's timers do, without keyspace
 * notifications (at most once, and off by default): every node
 * - renews the sessions whose links it holds every `holdMs` (so a node that dies lets them go:
 *   they expire ttl + holdMs at most after its last renewal), and learns from the same pass of a
 *   takeover or an end it missed on the bus;
 * - sweeps the index of live sessions every `sweepMs` for deadlines passed, ends those (one
 *   sweeper wins each, the step is one script) and announces `ended` to every node.
 */
export class SessionKeeper {
  private readonly logger = new Logger('RedisBroker');
  private readonly held = new Map<string, LinkHolder>();
  private readonly timers: NodeJS.Timeout[] = [];
  private renewing = false;
  private sweeping = false;
  /** What failed last, so a Redis outage is logged once, not on every tick. */
  private failing: string | undefined;

  constructor(
    private readonly ctx: RedisContext,
    private readonly rooms: RedisRooms,
    private readonly bus: RedisBus,
    private readonly forget: (sessionId: string, rooms: readonly string[], reason: EndReason) => Promise<void>,
  ) {}

  start(sweepMs: number): void {
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.ctx.holdMs, () => this.renew());
    every(sweepMs, () => this.sweep());
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.held.clear();
  }

  hold(sessionId: string, holder: LinkHolder): void {
    this.held.set(sessionId, holder);
  }

  release(sessionId: string, holder: LinkHolder): void {
    if (this.held.get(sessionId)?.link === holder.link) this.held.delete(sessionId);
  }

  drop(sessionId: string): void {
    this.held.delete(sessionId);
  }

  /** The bus was down: every held session is woken (its pump reads the store) and checked now. */
  async reconcile(): Promise<void> {
    for (const [sessionId, holder] of this.held) this.bus.deliverLocal(holder.node, { kind: 'wake', sessionId });
    await this.renew();
  }

  /** Renews the held sessions; one that another link took, or that ended, is announced to its node here. */
  async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      const held = [...this.held];
      for (let i = 0; i < held.length; i += CHUNK) await this.renewChunk(held.slice(i, i + CHUNK));
      this.failing = undefined;
    } catch (err) {
      this.failed('Renewing held sessions', err);
    } finally {
      this.renewing = false;
    }
  }

  /** Ends the sessions whose deadline has passed, a batch at a time. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (;;) {
        const due = (await runScript(this.ctx.client, 'due', [this.ctx.keys.index], [CHUNK])) as string[];
        this.failing = undefined;
        if (due.length === 0) return;
        await this.expire(due);
        if (due.length < CHUNK) return;
      }
    } catch (err) {
      this.failed('Sweeping expired sessions', err);
    } finally {
      this.sweeping = false;
    }
  }

  private failed(what: string, err: unknown): void {
    if (this.failing !== what) this.logger.warn(`${what} failed (retried on the next tick): ${String(err)}`);
    this.failing = what;
  }

  private async renewChunk(held: Array<[string, LinkHolder]>): Promise<void> {
    const { client, keys, graceMs, holdMs, ttlHint } = this.ctx;
    const batch = new Batch(client);
    for (const [id, holder] of held) {
      batch.script('renew', keys.all(id), [holder.node, holder.link, holdMs, graceMs]);
      batch.script('index', [keys.index], [id, ttlHint + holdMs, '1', graceMs, 0]);
    }
    const replies = await batch.exec();
    for (let i = 0; i < held.length; i++) {
      const [id, holder] = held[i];
      const reply = replies[2 * i] as unknown[];
      const state = Number(reply[0]);
      if (state === 1) {
        await this.rooms.keep(reply.slice(2) as string[], Number(reply[1]));
        continue;
      }
      if (this.held.get(id)?.link !== holder.link) continue; // released meanwhile
      this.held.delete(id);
      this.bus.deliverLocal(
        holder.node,
        state === 2 ? { kind: 'takeover', sessionId: id, link: holder.link } : { kind: 'ended', sessionId: id, reason: String(reply[1]) },
      );
    }
  }

  private async expire(due: string[]): Promise<void> {
    const { client, keys, graceMs, ttlHint } = this.ctx;
    const batch = new Batch(client);
    for (const id of due) batch.script('expire', keys.all(id), [ttlHint]);
    const replies = (await batch.exec()) as unknown[][];
    for (let i = 0; i < due.length; i++) {
      const id = due[i];
      const reply = replies[i];
      switch (Number(reply[0])) {
        case 2: // renewed since it was indexed: checked again at its real deadline
          await runScript(client, 'index', [keys.index], [id, Number(reply[1]), '0', graceMs, 0]);
          break;
        case 1:
          this.held.delete(id);
          await this.forget(id, reply.slice(1) as string[], ErrorCode.SESSION_EXPIRED);
          break;
        default: {
          // Already gone: whoever removes it from the index announces it (twice at worst, never never).
          const removed = await client.zrem(keys.index, id);
          if (removed === 1) await this.bus.publish({ kind: 'ended', sessionId: id, reason: reply.length > 1 ? String(reply[1]) : ErrorCode.SESSION_EXPIRED });
        }
      }
    }
  }
}
