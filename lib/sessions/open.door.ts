import { Inject, Injectable } from '@nestjs/common';
import type { Handshake } from '../actions/duplex-context.js';
import type { DuplexBroker } from '../brokers/broker.js';
import { DUPLEX_BROKER, DUPLEX_RESOLVED_OPTIONS } from '../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { SessionRegistry } from './session.registry.js';
import { readResume, welcomeData } from './welcome.js';

/** @publicApi */
export interface OpenRequest {
  /** The client's `$hello` (undefined: a fresh session, as when a link's first frame is not a hello). */
  hello: Envelope | undefined;
  handshake: Handshake;
  /** What `authenticate` returned for this request. */
  principal: unknown;
}

/** @publicApi */
export type OpenResult = { ok: true; welcome: Envelope } | { ok: false; error: DuplexError };

/**
 * The `$hello` without a link (an HTTP POST): opens or resumes a session and answers with the
 * welcome, exactly as a push link's first frame would, but attaches nothing — the session is then
 * served by pulls and the link-less inbound door, and kept alive by each pull.
 */
@Injectable()
export class OpenDoor {
  constructor(
    @Inject(DUPLEX_BROKER) private readonly broker: DuplexBroker,
    private readonly registry: SessionRegistry,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  async open(request: OpenRequest): Promise<OpenResult> {
    const { hello, principal } = request;
    const identity = this.options.identify(principal);
    let resumeError: DuplexError | undefined;
    let session: { id: string; token: string } | undefined;
    const resume = hello === undefined ? undefined : readResume(hello);
    if (resume instanceof DuplexError) {
      resumeError = resume;
    } else if (resume !== undefined) {
      const verified = await this.registry.verify(resume.sessionId, resume.resumeToken, identity);
      if (verified instanceof DuplexError) resumeError = verified;
      else session = { id: resume.sessionId, token: resume.resumeToken };
    }
    for (;;) {
      const resumed = session !== undefined;
      const current = session ?? (await this.registry.create(principal, identity));
      if (current instanceof DuplexError) return { ok: false, error: current };
      const cursors = await this.broker.sessions.touch(current.id, this.options.session.ttlMs);
      if (cursors === undefined) {
        // It ended between the check and now: a fresh one, and the client is told.
        resumeError = new DuplexError(ErrorCode.SESSION_EXPIRED, 'The session ended while it was being resumed');
        session = undefined;
        continue;
      }
      const data = welcomeData(current, cursors.inboundSeq, { maxPayload: this.options.maxPayload }, resumed, this.options, resumeError);
      const welcome = controlEnvelope(MessageType.RESPONSE, current.id, data, {
        action: HELLO_ACTION,
        ...(hello === undefined ? {} : { reply_to: hello.id }),
      });
      return { ok: true, welcome };
    }
  }
}
