/**
 * The one typed error of the library: a stable `code`, a human message, optional details.
 * Handlers may throw it to answer with a code of their own; transports turn it into an `error` envelope.
 * @publicApi
 */
export class DuplexError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DuplexError';
  }

  /** The `data` of the `error` envelope that carries this error. */
  toData(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...this.details,
    };
  }
}
