import { type Command, Redis, type RedisOptions } from 'ioredis';
import { ConnectionLostError } from './redis-errors.js';

type Written = Parameters<Redis['sendCommand']>;

/**
 * A connection the broker opens. When a connection drops, ioredis resends the commands it had
 * written and not seen answered (so a script Redis already ran would run twice: a message stored
 * twice), or with that off leaves them pending. Here they reject as soon as the connection closes:
 * each command runs at most once, and its caller hears of the outage at once. Commands made while
 * disconnected wait in ioredis's offline queue as usual (sent on reconnect, or rejected after
 * `maxRetriesPerRequest` attempts: never run).
 */
export class RedisConnection extends Redis {
  private readonly written = new Set<Command>();

  constructor(url: string, options: RedisOptions) {
    super(url, { ...options, autoResendUnfulfilledCommands: false });
    this.on('close', () => {
      const lost = [...this.written];
      this.written.clear();
      for (const command of lost) command.reject(new ConnectionLostError());
    });
  }

  override sendCommand(...[command, stream]: Written): unknown {
    // ioredis's own test: written to the socket now, or else queued offline (sent on reconnect).
    if (this.status === 'ready' && this.stream?.writable === true && !this.stream.writableEnded) {
      this.written.add(command);
      const forget = () => this.written.delete(command);
      command.promise.then(forget, forget);
    }
    return super.sendCommand(command, stream);
  }
}
