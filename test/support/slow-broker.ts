import type { DuplexBroker } from '../../lib/index.js';

/**
 * A broker whose every call resolves after a random number of event-loop turns, as a network
 * broker's would, while calls still resolve in the order they were made (the seam's promise).
 * Wraps any broker: the session layer must behave the same through it.
 */
export function slowBroker(inner: DuplexBroker, random: () => number): DuplexBroker {
  let chain: Promise<unknown> = Promise.resolve();
  const later = async (): Promise<void> => {
    const turns = Math.floor(random() * 4);
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const ordered = <T>(call: () => Promise<T>): Promise<T> => {
    const next = chain.then(async () => {
      await later();
      return call();
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const wrap = <P extends object>(part: P): P =>
    new Proxy(part, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => ordered(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  return {
    sessions: wrap(inner.sessions),
    outbox: wrap(inner.outbox),
    inbound: wrap(inner.inbound),
    rooms: wrap(inner.rooms),
    bus: inner.bus,
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}
