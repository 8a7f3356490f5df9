/**
 * A minimal typed event emitter that runs in browsers and Node alike (no `events` module).
 * A throwing listener never breaks the emitter's caller: socket and timer callbacks emit events,
 * and an exception there would otherwise be uncaught.
 */

/** Event name → listener argument tuple. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

export type Listener<Args extends unknown[]> = (...args: Args) => void;

export class TypedEmitter<E extends EventMap<E>> {
  private readonly listeners: { [K in keyof E]?: Array<Listener<E[K]>> } = {};

  /** `onListenerError` hears what a listener threw; without it the error is dropped. */
  constructor(private readonly onListenerError?: (error: unknown, event: keyof E) => void) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    (this.listeners[event] ??= []).push(listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  }

  listenerCount(event: keyof E): number {
    return this.listeners[event]?.length ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners[event];
    if (list === undefined || list.length === 0) return;
    // A snapshot: listeners that add or remove listeners do not disturb this round.
    for (const listener of [...list]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError?.(error, event);
      }
    }
  }

  removeAll(): void {
    for (const key of Object.keys(this.listeners) as Array<keyof E>) delete this.listeners[key];
  }
}
