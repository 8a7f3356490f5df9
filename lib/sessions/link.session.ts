import { Logger } from '@nestjs/common';
import type { OutboundDelivery } from '../delivery/outbound.delivery.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { CloseReason } from './close-reason.js';
import type { InboundProcessor, InboundSource } from './inbound.processor.js';
import type { InflightLimiter } from './inflight.limiter.js';
import type { Link, LinkListener } from './link.js';
import { LinkHeartbeat } from './link-heartbeat.js';
import type { LiveSession } from './live-session.js';
import type { SessionRegistry } from './session.registry.js';
import { readResume, welcomeData } from './welcome.js';

/** Frames a client may send between its hello and the welcome (a compliant client sends none). */
const MAX_QUEUED_BEFORE_WELCOME = 64;

export interface LinkSessionDeps {
  options: ResolvedDuplexOptions;
  registry: SessionRegistry;
  delivery: OutboundDelivery;
  inbound: InboundProcessor;
  inflight: InflightLimiter;
}

/**
 * The life of one push link: waits for the hello (or any first message), opens or resumes the
 * session, sends the welcome, then hands every envelope to the InboundProcessor and watches the
 * heartbeat.
 */
export class LinkSession implements LinkListener {
  private static readonly logger = new Logger('DuplexLink');
  private live: LiveSession | undefined;
  private source: InboundSource | undefined;
  private opening = false;
  private ended = false;
  /** Frames that arrived while the session was being opened, in order. */
  private readonly queued: Envelope[] = [];
  private readonly handshakeTimer: NodeJS.Timeout;
  private readonly heartbeat: LinkHeartbeat;

  constructor(
    private readonly link: Link,
    private readonly deps: LinkSessionDeps,
  ) {
    const { options } = deps;
    this.handshakeTimer = setTimeout(() => link.close(CloseReason.HANDSHAKE_TIMEOUT, 'no hello'), options.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    this.heartbeat = new LinkHeartbeat(
      options.heartbeat.intervalMs,
      options.heartbeat.timeoutMs,
      () => link.sendControl(controlEnvelope(MessageType.HEARTBEAT, this.live?.id ?? '', {})),
      () => {
        link.close(CloseReason.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        this.closed();
      },
    );
  }

  receive(envelope: Envelope): void {
    if (this.ended) return;
    this.heartbeat.received();
    if (this.source !== undefined && !this.opening) {
      void this.deps.inbound.process(this.source, envelope);
      return;
    }
    if (this.opening) {
      if (this.queued.length >= MAX_QUEUED_BEFORE_WELCOME) {
        this.link.close(CloseReason.PROTOCOL_ERROR, 'too many frames before the welcome');
        this.closed();
        return;
      }
      this.queued.push(envelope);
      return;
    }
    this.opening = true;
    const isHello = envelope.type === MessageType.REQUEST && envelope.action === HELLO_ACTION;
    if (!isHello) this.queued.push(envelope);
    this.open(isHello ? envelope : undefined).catch((err: unknown) => {
      LinkSession.logger.error(`Opening a session failed: ${String(err)}`);
      this.link.close(CloseReason.INTERNAL_ERROR, 'internal error');
      this.closed();
    });
  }

  reject(error: DuplexError, replyTo?: string): void {
    if (this.ended) return;
    this.heartbeat.received();
    this.link.sendControl(
      controlEnvelope(MessageType.ERROR, this.live?.id ?? '', error.toData(), replyTo === undefined ? {} : { reply_to: replyTo }),
    );
  }

  closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.handshakeTimer);
    this.heartbeat.stop();
    const live = this.live;
    if (live === undefined) return;
    this.deps.registry.detach(live).catch((err: unknown) => LinkSession.logger.error(`Detaching session ${live.id} failed: ${String(err)}`));
  }

  private async open(hello: Envelope | undefined): Promise<void> {
    const { options, registry } = this.deps;
    const identity = options.identify(this.link.principal);
    let resumeError: DuplexError | undefined;
    let resumed: { id: string; token: string; lastSeq: number } | undefined;
    const resume = hello === undefined ? undefined : readResume(hello);
    if (resume instanceof DuplexError) {
      resumeError = resume;
    } else if (resume !== undefined) {
      const verified = await registry.verify(resume.sessionId, resume.resumeToken, identity);
      if (verified instanceof DuplexError) resumeError = verified;
      else resumed = { id: resume.sessionId, token: resume.resumeToken, lastSeq: resume.lastSeq };
    }
    for (;;) {
      const session = resumed ?? (await registry.create(this.link.principal, identity));
      if (session instanceof DuplexError) return this.refuse(session, hello);
      if (this.ended) {
        // The link died while we waited: a fresh session nobody will ever learn of goes at once.
        if (resumed === undefined) await registry.end(session.id, ErrorCode.SESSION_EXPIRED);
        return;
      }
      const attached = await registry.attach(session.id, this.link);
      if (attached instanceof DuplexError) {
        // The session ended (expired, overflowed, said goodbye elsewhere) during the wait.
        resumeError = attached;
        resumed = undefined;
        continue;
      }
      const { live } = attached;
      if (this.ended) {
        await registry.detach(live);
        if (resumed === undefined) await registry.end(session.id, ErrorCode.SESSION_EXPIRED);
        return;
      }
      // From here to the end nothing awaits: the welcome is the first frame, replay comes after it.
      this.live = live;
      this.source = {
        sessionId: live.id,
        principal: this.link.principal,
        handshake: this.link.handshake,
        live,
        sendControl: (envelope) => this.link.sendControl(envelope),
      };
      live.inboundSeq = live.inboundAcked = attached.inboundSeq;
      const welcome = welcomeData(session, attached.inboundSeq, this.link, resumed !== undefined, options, resumeError);
      this.link.sendControl(
        controlEnvelope(MessageType.RESPONSE, live.id, welcome, { action: HELLO_ACTION, ...(hello === undefined ? {} : { reply_to: hello.id }) }),
      );
      this.deps.delivery.attached(live, resumed?.lastSeq ?? 0, attached.lastSeq, attached.trimmed);
      this.deps.inflight.attached(live);
      clearTimeout(this.handshakeTimer);
      this.heartbeat.start();
      this.opening = false;
      for (const envelope of this.queued.splice(0)) void this.deps.inbound.process(this.source, envelope);
      return;
    }
  }

  /** No session could be made (e.g. `maxSessions`): the client is told why, and the link closes. */
  private refuse(error: DuplexError, hello: Envelope | undefined): void {
    this.link.sendControl(controlEnvelope(MessageType.ERROR, '', error.toData(), hello === undefined ? {} : { reply_to: hello.id }));
    this.link.close(error.code === ErrorCode.SESSION_LIMIT ? CloseReason.SESSION_LIMIT : CloseReason.INTERNAL_ERROR, error.message);
    this.closed();
  }
}
