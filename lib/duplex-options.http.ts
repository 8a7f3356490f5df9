import type { DuplexModuleOptions, ResolvedHttpOptions } from './duplex-options.js';
import { INVALID_OPTION } from './duplex.messages.js';

/** The longest a poll may be held (`http.pollTimeoutMs`, and a client's `wait_ms`): under common proxy idle timeouts. */
export const MAX_POLL_WAIT_MS = 60_000;

/** Path segments of plain characters only: the prefix becomes a route, where `:`, `*` or `(` would be patterns. */
const PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Defaults and validation of the `http` options (the HTTP transports: long-polling and SSE). */
export function resolveHttpOptions(options: DuplexModuleOptions['http']): ResolvedHttpOptions {
  const prefix = options?.prefix ?? '/duplex';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new Error(INVALID_OPTION('http.prefix', prefix, 'a URL path such as "/duplex": segments of letters, digits, ".", "_", "~" or "-", no trailing "/"'));
  }
  const pollTimeoutMs = options?.pollTimeoutMs ?? 25_000;
  if (!Number.isSafeInteger(pollTimeoutMs) || pollTimeoutMs <= 0 || pollTimeoutMs > MAX_POLL_WAIT_MS) {
    throw new Error(INVALID_OPTION('http.pollTimeoutMs', pollTimeoutMs, `a positive integer up to ${MAX_POLL_WAIT_MS}`));
  }
  return { prefix, pollTimeoutMs, cors: resolveCors(options?.cors) };
}

function resolveCors(cors: boolean | string[] | undefined): ResolvedHttpOptions['cors'] {
  if (cors === undefined || cors === false) return false;
  if (cors === true) return '*';
  const expected = 'true, false, or a list of origins such as ["https://app.example.com"]';
  if (!Array.isArray(cors)) throw new Error(INVALID_OPTION('http.cors', cors, expected));
  for (const origin of cors) {
    // An origin is scheme://host[:port], exactly as a browser sends it in the Origin header.
    if (typeof origin !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i.test(origin)) {
      throw new Error(INVALID_OPTION('http.cors', origin, expected));
    }
  }
  return Object.freeze([...cors]);
}
