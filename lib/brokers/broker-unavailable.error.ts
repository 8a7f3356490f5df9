/**
 * What a broker call rejects with when the broker's store did not answer it: unreachable, or the
 * connection dropped before the reply came. During an outage `DuplexService.send`, `broadcast`,
 * `request`, `join` … reject with it; the broker reconnects by itself. The session layer keeps a
 * session through it (a link that needed the store is closed with `internal_error`, and the
 * client resumes), where an answer it cannot trust ends the session.
 * @publicApi
 */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';

  constructor(
    message: string,
    /**
     * The call had reached the store when the connection dropped: it may have been carried out
     * (a `send` that rejects with this may still be delivered, once). False: it never left this process.
     */
    readonly mayHaveRun: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
