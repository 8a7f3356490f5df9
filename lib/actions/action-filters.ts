import type { ArgumentsHost } from '@nestjs/common';
import type { ExceptionType } from './action-metadata.accessor.js';

/**
 * The exception filters of an `@OnAction` handler, chosen and run as Nest's
 * ExternalExceptionsHandler does, except for an error no filter handles: Nest's fallback
 * (`ExternalExceptionFilter`) logs every error that is not an `IntrinsicException` before
 * rethrowing it, so a handler throwing an expected `DuplexError` or `WsException` would be logged
 * as a server error on every message (and an unexpected one twice). Here it is rethrown as it is;
 * ActionRouter maps it and `toDuplexError` logs only the unexpected ones, once.
 */

/** A filter ready to run: its bound `catch` and the exception types its `@Catch()` names (none: all). */
export interface BoundFilter {
  readonly catch: (exception: unknown, host: ArgumentsHost) => unknown;
  readonly catches: readonly ExceptionType[];
}

/** What a filter binding needs: the instance Nest made of a filter class, and a filter's `@Catch()` types. */
export interface FilterLookup {
  instanceOf(type: object): object | undefined;
  catchTypes(filter: object): ExceptionType[];
}

/**
 * Binds the filters of one handler, given in Nest's declaration order (global, class, method), and
 * returns them in the order they are tried: the last declared first. A class stands for the
 * instance Nest created of it, or for itself when it has a static `catch` and no instance exists;
 * bindings that are neither filters nor resolvable are skipped, as Nest skips them.
 */
export function bindFilters(bindings: readonly unknown[], lookup: FilterLookup): BoundFilter[] {
  const bound: BoundFilter[] = [];
  for (const binding of bindings) {
    const instance = typeof binding === 'function' ? lookup.instanceOf(binding) : binding;
    const filter = hasCatch(instance) ? instance : binding;
    if (!hasCatch(filter)) continue;
    bound.push({ catch: filter.catch.bind(filter), catches: lookup.catchTypes(filter) });
  }
  return bound.reverse();
}

/**
 * Runs the first filter whose `@Catch()` covers `err`. As in Nest: the filter's return value
 * (even a Promise) is the result, `undefined` means "not handled", and what a filter throws
 * propagates as is. An error no filter handles is rethrown unchanged.
 */
export function runFilters(filters: readonly BoundFilter[], err: unknown, host: ArgumentsHost): unknown {
  const filter = filters.find(({ catches }) => catches.length === 0 || catches.some((type) => err instanceof type));
  const result = filter?.catch(err, host);
  if (result !== undefined) return result;
  throw err;
}

function hasCatch(value: unknown): value is { catch: (exception: unknown, host: ArgumentsHost) => unknown } {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { catch?: unknown }).catch === 'function';
}
