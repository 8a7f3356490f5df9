import { Logger } from '@nestjs/common';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { BrokerInbound, BrokerOutbox, BrokerRooms, BrokerSessions, DuplexBroker } from '../broker.js';
import type { RedisContext } from './redis-context.js';
import { RedisInbound } from './redis-inbound.js';
import { RedisKeys } from './redis-keys.js';
import { RedisOutbox } from './redis-outbox.js';
import { RedisRooms } from './redis-rooms.js';
import { type RedisClient, defineScripts } from './redis-scripts.js';
import { RedisSessions } from './redis-sessions.js';
import { checkRedisBrokerOptions } from './redis-broker.options-check.js';
import { RedisConnection } from './redis-connection.js';
import { brokerError } from './redis-errors.js';
import { RedisBus } from './redis.bus.js';
import { SessionKeeper } from './session-keeper.js';

/** @publicApi */
export interface RedisBrokerOptions {
  /** A `redis://…` URL (the broker opens and closes its connections), or an ioredis `Redis`/`Cluster` you own. */
  redis: string | RedisClient;
  /** Put in front of every key and channel, so apps can share a Redis. Default `duplex:`. */
  keyPrefix?: string;
  /** How often each node looks for sessions past their deadline. Default 1,000 ms. */
  sweepIntervalMs?: number;
  /** How often a node renews the sessions whose links it holds. Default 10,000 ms. */
  holdRenewMs?: number;
  /** How long a session's keys outlive its deadline, for a sweeper to end it and tell every node. Default 60,000 ms. */
  expiryGraceMs?: number;
}

/** A call's outcome, with a Redis that did not answer reported as `BrokerUnavailableError`. */
function reported<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) => {
    throw brokerError(err);
  });
}

/** For connections the broker opens: a command fails after 2 reconnection attempts rather than waiting in a queue for long. */
const CONNECTION: RedisOptions = { maxRetriesPerRequest: 2 };

/**
 * The broker for many nodes: sessions, outboxes, de-duplication state and rooms in Redis (≥ 7.0),
 * node-to-node events over pub/sub. Every key has a TTL; a session's keys share its hash tag so
 * the layout works on Redis Cluster. docs/redis.md has the layout, the numbers and the guarantees.
 * @publicApi
 */
export class RedisBroker implements DuplexBroker {
  // Plain objects of arrow functions, as the memory broker's: a call works detached from its part.
  readonly sessions: BrokerSessions;
  readonly outbox: BrokerOutbox;
  readonly inbound: BrokerInbound;
  readonly rooms: BrokerRooms;
  readonly bus: RedisBus;
  private readonly logger = new Logger(RedisBroker.name);
  private readonly keeper: SessionKeeper;
  private readonly owned: RedisClient[] = [];
  private closed = false;

  constructor(options: RedisBrokerOptions) {
    checkRedisBrokerOptions(options, 'RedisBroker');
    const prefix = options.keyPrefix ?? 'duplex:';
    const url = options.redis;
    // Named, so CLIENT LIST shows whose connections these are.
    const open = (role: string) => this.own(new RedisConnection(url as string, { ...CONNECTION, connectionName: `${prefix}${role}` }), role);
    const client = typeof url === 'string' ? open('commands') : url;
    defineScripts(client);
    const subscriber =
      typeof url === 'string'
        ? open('subscriber')
        : this.own(client.isCluster ? (client as Cluster).duplicate() : (client as Redis).duplicate({ connectionName: `${prefix}subscriber` }), 'subscriber');
    const ctx: RedisContext = {
      client,
      keys: new RedisKeys(prefix),
      graceMs: options.expiryGraceMs ?? 60_000,
      holdMs: options.holdRenewMs ?? 10_000,
      ttlHint: 120_000,
    };
    const bus = (this.bus = new RedisBus(client, subscriber, ctx.keys));
    const rooms = new RedisRooms(ctx);
    this.keeper = new SessionKeeper(ctx, rooms, bus, (id, left, reason) => sessions.forget(id, left, reason));
    const sessions = new RedisSessions(ctx, rooms, bus, this.keeper);
    const outbox = new RedisOutbox(ctx, bus);
    const inbound = new RedisInbound(ctx);
    this.sessions = {
      create: (record, limits) => reported(sessions.create(record, limits)),
      lookup: (id) => reported(sessions.lookup(id)),
      attach: (id, holder, principal) => reported(sessions.attach(id, holder, principal)),
      detach: (id, holder, ttlMs) => reported(sessions.detach(id, holder, ttlMs)),
      touch: (id, ttlMs) => reported(sessions.touch(id, ttlMs)),
      end: (id, reason, ttlMs) => reported(sessions.end(id, reason, ttlMs)),
      list: () => reported(sessions.list()),
    };
    this.outbox = {
      append: (id, message, limits, options) => reported(outbox.append(id, message, limits, options)),
      appendMany: (ids, message, limits, options) => reported(outbox.appendMany(ids, message, limits, options)),
      read: (id, afterSeq, limit) => reported(outbox.read(id, afterSeq, limit)),
      trim: (id, uptoSeq) => reported(outbox.trim(id, uptoSeq)),
    };
    this.inbound = { accept: (id, offer) => reported(inbound.accept(id, offer)) };
    this.rooms = {
      join: (id, room) => reported(rooms.join(id, room)),
      leave: (id, room) => reported(rooms.leave(id, room)),
      members: (room) => reported(rooms.members(room)),
      roomsOf: (id) => reported(rooms.roomsOf(id)),
    };
    this.keeper.start(options.sweepIntervalMs ?? 1000);
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) void this.caughtUp();
      connectedBefore = true;
    });
  }

  /** Stops the timers and quits the connections the broker opened (not a client it was given). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keeper.stop();
    await Promise.all(
      this.owned.map(async (connection) => {
        try {
          await connection.quit();
        } catch {
          connection.disconnect(); // not connected: nothing to say goodbye to
        }
      }),
    );
  }

  /** The subscriber was down: events may have been missed, so the store is read again. */
  private async caughtUp(): Promise<void> {
    try {
      await this.bus.resubscribe();
      await this.keeper.reconcile();
    } catch (err) {
      this.logger.warn(`Catching up after the Redis subscriber reconnected failed: ${String(err)}`);
    }
  }

  private own(connection: RedisClient, role: string): RedisClient {
    this.owned.push(connection);
    let failing = false;
    connection.on('error', (err: Error) => {
      if (!failing) this.logger.warn(`Redis ${role} connection: ${err.message} (reconnecting)`);
      failing = true;
    });
    connection.on('ready', () => (failing = false));
    return connection;
  }
}
