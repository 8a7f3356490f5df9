/** The application's callbacks for server notifications and server requests, one per action. */
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { checkOutgoing } from './client-envelopes.js';

/**
 * Handles a server notification or request. For a request, the return value (or what its promise
 * resolves to) becomes the `response`; a throw becomes an `error` (a DuplexError keeps its code).
 * @publicApi
 */
export type DuplexCallback = (data: EnvelopeData, envelope: Envelope) => unknown;

export class CallbackRegistry {
  private readonly callbacks = new Map<string, DuplexCallback>();

  /** Registers `fn` for `action`, replacing an earlier one; returns a function that removes it. */
  register(action: string, fn: DuplexCallback): () => void {
    checkOutgoing(action, {});
    if (typeof fn !== 'function') throw new TypeError(`The callback for "${action}" must be a function`);
    this.callbacks.set(action, fn);
    return () => {
      if (this.callbacks.get(action) === fn) this.callbacks.delete(action);
    };
  }

  get(action: string): DuplexCallback | undefined {
    return this.callbacks.get(action);
  }
}

/**
 * Runs `fn` and reports its outcome through exactly one of the two continuations, never throwing
 * and never leaving a rejected promise unhandled.
 */
export function invokeCallback(
  fn: DuplexCallback,
  envelope: Envelope,
  onResult: (value: unknown) => void,
  onError: (error: unknown) => void,
): void {
  let result: unknown;
  try {
    result = fn(envelope.data, envelope);
  } catch (error) {
    onError(error);
    return;
  }
  if (isThenable(result)) {
    // The continuations are the client's own and do not throw; the last catch is a guarantee, not a path.
    Promise.resolve(result).then(onResult, onError).then(undefined, () => undefined);
  } else {
    onResult(result);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
