/** The start every endpoint shares: the raw exchange, its CORS headers, and a 404 for a transport not served. */
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { sendError } from './http-answer.js';
import { corsHeaders } from './http-cors.js';
import { type RawExchange, takeExchange } from './http-exchange.js';

export interface HttpCall extends RawExchange {
  /** Headers every answer of this call carries (CORS). */
  headers: Record<string, string>;
}

/**
 * Takes the exchange over; undefined (answered 404) when `served` says no: with `forRootAsync` the
 * routes exist before the options do, and a transport left out of `protocols` must not answer.
 */
export function beginCall(request: unknown, response: unknown, options: ResolvedDuplexOptions, served: boolean): HttpCall | undefined {
  const exchange = takeExchange(request, response);
  const headers = corsHeaders(options.http.cors, exchange.req);
  if (served) return { ...exchange, headers };
  sendError(exchange.res, new DuplexError(ErrorCode.NOT_FOUND, 'This transport is not served here (see GET negotiate)'), headers);
  return undefined;
}

/** A non-negative integer query parameter (`fallback` when absent); undefined when malformed. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** `promise`'s value, or 'timed-out' after `ms` (the timer goes with the first outcome). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed-out'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timed-out'), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
