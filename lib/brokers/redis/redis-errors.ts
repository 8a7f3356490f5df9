import { BrokerUnavailableError } from '../broker-unavailable.error.js';

/** The command was written to a connection that closed before Redis answered it. */
export class ConnectionLostError extends Error {
  constructor() {
    super('the connection dropped before Redis answered (the command may have run)');
  }
}

/** `err` as the broker reports it: Redis's own answers (script errors, OOM …) pass unchanged. */
export function brokerError(err: unknown): unknown {
  if (!(err instanceof Error) || err.name === 'ReplyError' || err instanceof BrokerUnavailableError) return err;
  // Rejected before it was written: the offline queue was flushed, or the connection closed for good.
  const neverSent = err.name === 'MaxRetriesPerRequestError' || err.message === 'Connection is closed.';
  return new BrokerUnavailableError(`Redis is unreachable: ${err.message}`, !neverSent, { cause: err });
}
