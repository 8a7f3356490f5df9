import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { ACCEPT, APPEND, APPEND_MANY, READ, TRIM } from './lua/outbox.lua.js';
import { ATTACH, CREATE, DETACH, END, EXPIRE, JOIN, LOOKUP, RENEW, TOUCH } from './lua/session.lua.js';
import { DUE, INDEX, ROOM_KEEP } from './lua/shared.lua.js';

/** A connection or cluster client the broker sends commands on. */
export type RedisClient = Redis | Cluster;
type Arg = string | number;

const SCRIPTS = {
  create: CREATE,
  lookup: LOOKUP,
  attach: ATTACH,
  detach: DETACH,
  touch: TOUCH,
  end: END,
  expire: EXPIRE,
  renew: RENEW,
  join: JOIN,
  append: APPEND,
  appendMany: APPEND_MANY,
  read: READ,
  trim: TRIM,
  accept: ACCEPT,
  index: INDEX,
  due: DUE,
  roomKeep: ROOM_KEEP,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

// ioredis sends a defined command as EVALSHA, falls back to EVAL after a Redis restart emptied
// the script cache, and loads the scripts a pipeline uses before sending it.
const commandName = (name: ScriptName) => `nestDuplex_${name}`;

/** Defines the broker's scripts on a client (idempotent; the names do not clash with Redis commands). */
export function defineScripts(client: RedisClient): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(commandName(name as ScriptName), { lua });
}

type Callable<R> = Record<string, (...args: Arg[]) => R>;

/** Runs a script now. */
export function runScript(client: RedisClient, name: ScriptName, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
  return (client as unknown as Callable<Promise<unknown>>)[commandName(name)](keys.length, ...keys, ...args);
}

/**
 * Commands sent together and answered in order. On one Redis they go as one pipeline (one round
 * trip); on a cluster each goes on its own (an ioredis cluster pipeline must stay within one slot,
 * and ours span sessions), so turn on `enableAutoPipelining` there to batch them per node.
 */
export class Batch {
  private readonly pipeline: ChainableCommander | undefined;
  private readonly calls: Array<() => Promise<unknown>> = [];

  constructor(private readonly client: RedisClient) {
    this.pipeline = client.isCluster ? undefined : client.pipeline();
  }

  script(name: ScriptName, keys: readonly string[], args: readonly Arg[]): this {
    if (this.pipeline !== undefined) (this.pipeline as unknown as Callable<unknown>)[commandName(name)](keys.length, ...keys, ...args);
    else this.calls.push(() => runScript(this.client, name, keys, args));
    return this;
  }

  command(name: 'srem' | 'zrem', key: string, member: string): this {
    if (this.pipeline !== undefined) this.pipeline[name](key, member);
    else this.calls.push(() => this.client[name](key, member));
    return this;
  }

  get size(): number {
    return this.pipeline?.length ?? this.calls.length;
  }

  /** The replies in order, or the first error. */
  async exec(): Promise<unknown[]> {
    if (this.pipeline === undefined) return Promise.all(this.calls.map((call) => call()));
    const replies = await this.pipeline.exec();
    if (replies === null) throw new Error('Redis discarded the pipeline');
    return replies.map(([err, reply]) => {
      if (err !== null) throw err;
      return reply;
    });
  }
}
