import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Handshake } from '../actions/duplex-context.js';
import { DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';

export type AuthResult = { ok: true; principal: unknown } | { ok: false };

/** Runs the `authenticate` option once per connection, for every transport. Never throws. */
@Injectable()
export class ConnectionAuthenticator {
  private readonly logger = new Logger(ConnectionAuthenticator.name);

  constructor(@Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions) {}

  async authenticate(handshake: Handshake): Promise<AuthResult> {
    const authenticate = this.options.authenticate;
    if (authenticate === undefined) return { ok: true, principal: null };
    try {
      const principal = await authenticate(handshake);
      return principal === null || principal === undefined ? { ok: false } : { ok: true, principal };
    } catch (err) {
      // A rejection by exception is normal; anything else is a bug in the hook worth seeing once.
      if (!(err instanceof HttpException)) {
        this.logger.warn(`authenticate() threw: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { ok: false };
    }
  }
}
