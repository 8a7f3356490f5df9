import type { DuplexClient, DuplexClientEvents } from '../../lib/client/index.js';
import { deadline } from './clients.js';

/** The deadline of the client's unit specs: long enough for a loaded CI box, short enough to name a hang. */
export const WAIT_MS = 3000;

/** `promise`, or a rejection naming `what` after `ms`. */
export function withDeadline<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return deadline(promise, ms, what);
}

/** The arguments of the client's next `event`, or a rejection at the deadline. */
export function nextEvent<K extends keyof DuplexClientEvents>(client: DuplexClient, event: K): Promise<DuplexClientEvents[K]> {
  return withDeadline(
    new Promise<DuplexClientEvents[K]>((resolve) => {
      const listener = (...args: DuplexClientEvents[K]): void => {
        client.off(event, listener);
        resolve(args);
      };
      client.on(event, listener);
    }),
    `client event "${String(event)}"`,
  );
}
