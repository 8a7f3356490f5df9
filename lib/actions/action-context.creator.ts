import type { ExternalContextCreator } from '@nestjs/core';
import { DuplexArgumentsHost } from './duplex-arguments.host.js';
import { settleResult } from './action-result.mapper.js';

/**
 * Nest's ExternalContextCreator with two behaviours changed for `@OnAction` handlers; guards,
 * pipes, interceptors and the choice of exception filter stay Nest's own.
 *
 * 1. An Observable that completes without a value resolves to `undefined` (sent as `{}`) instead
 *    of rejecting with rxjs' EmptyError.
 * 2. An error no exception filter handles is rethrown as it is. Nest's fallback
 *    (`ExternalExceptionFilter`) would first log every non-`IntrinsicException` error, so a handler
 *    throwing an expected `DuplexError` or `WsException` would be logged as a server error on every
 *    message (and the unexpected ones twice, once more by the mapper). ActionRouter maps the error
 *    and `toDuplexError` logs only the unexpected ones, once.
 *
 * NOTE: (2) replaces `externalErrorProxy`, a private field of ExternalContextCreator (core 12.5),
 * on a derived object: the shared instance is never modified. There is no public hook for this
 * (nestjs/graphql#2060 is the same problem). If a Nest release renames the field, the stock proxy
 * is used again: results stay correct, and action.explorer.spec.ts's logging test fails.
 */
export function createActionContextCreator(base: ExternalContextCreator): ExternalContextCreator {
  const creator = Object.create(base) as ExternalContextCreator;
  creator.transformToResult = settleResult;
  if (Object.prototype.hasOwnProperty.call(base, 'externalErrorProxy')) {
    Object.defineProperty(creator, 'externalErrorProxy', { value: filtersOnlyProxy });
  }
  return creator;
}

/** What the proxy needs of Nest's (unexported) ExternalExceptionsHandler. */
interface ExceptionsHandlerLike {
  next(exception: unknown, host: DuplexArgumentsHost): unknown;
  invokeCustomFilters?(exception: unknown, host: DuplexArgumentsHost): unknown;
}

type Target = (...args: unknown[]) => Promise<unknown>;

const filtersOnlyProxy = {
  createProxy(target: Target, handler: ExceptionsHandlerLike): Target {
    return async (...args: unknown[]) => {
      try {
        return await target(...args);
      } catch (err) {
        const host = new DuplexArgumentsHost(args);
        if (typeof handler.invokeCustomFilters !== 'function') return handler.next(err, host);
        // As in Nest: a filter's return value (even a Promise) is the result, `undefined` means
        // "not handled", and an error a filter throws propagates as is.
        const result = handler.invokeCustomFilters(err, host);
        if (result !== undefined) return result;
        throw err;
      }
    };
  },
};
