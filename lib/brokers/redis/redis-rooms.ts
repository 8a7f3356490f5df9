import type { BrokerRooms } from '../broker.js';
import type { RedisContext } from './redis-context.js';
import { Batch, runScript } from './redis-scripts.js';

/**
 * Rooms: each session keeps the set of its rooms (deleted with it), each room the set of its
 * members (one key per room, spanning sessions). A member set lives at least as long as its
 * longest-lived member; a member whose session ended is removed by whoever ended it.
 */
export class RedisRooms implements BrokerRooms {
  constructor(private readonly ctx: RedisContext) {}

  async join(sessionId: string, room: string): Promise<boolean> {
    const { client, keys } = this.ctx;
    const x = Number(await runScript(client, 'join', keys.all(sessionId), [room]));
    if (x === 0) return false;
    await runScript(client, 'roomKeep', [keys.room(room)], [sessionId, x]);
    return true;
  }

  async leave(sessionId: string, room: string): Promise<void> {
    const { client, keys } = this.ctx;
    await new Batch(client).command('srem', keys.session(sessionId).rooms, room).command('srem', keys.room(room), sessionId).exec();
  }

  async members(room: string): Promise<string[]> {
    return this.ctx.client.smembers(this.ctx.keys.room(room));
  }

  async roomsOf(sessionId: string): Promise<string[]> {
    return this.ctx.client.smembers(this.ctx.keys.session(sessionId).rooms);
  }

  /** A session's keys now expire at `x`: so must its rooms' member sets, at least. */
  async keep(rooms: readonly string[], x: number): Promise<void> {
    if (rooms.length === 0) return;
    const batch = new Batch(this.ctx.client);
    for (const room of rooms) batch.script('roomKeep', [this.ctx.keys.room(room)], ['', x]);
    await batch.exec();
  }
}
