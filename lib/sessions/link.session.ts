import { Logger } from '@nestjs/common';
import type { OutboundDelivery } from '../delivery/outbound.delivery.js';
import type { ResolvedDuplexOptions } from '../duplex-options.js';
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION, MessageType } from '../envelope/envelope.js';
import { controlEnvelope } from '../envelope/envelope.factory.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { InboundProcessor } from './inbound.processor.js';
import { type Link, LinkCloseCode, type LinkListener } from './link.js';
import { LinkHeartbeat } from './link-heartbeat.js';
import type { Session } from './session.js';
import type { SessionRegistry } from './session.registry.js';

/** Frames a client may send between its hello and the welcome (a compliant client sends none). */
const MAX_QUEUED_BEFORE_WELCOME = 64;

interface ResumeRequest {
  sessionId: string;
  resumeToken: string;
  lastSeq: number;
}

/**
 * The life of one link: waits for the hello (or any first message), opens or resumes the session,
 * sends the welcome, then hands every envelope to the InboundProcessor and watches the heartbeat.
 */
export class LinkSession implements LinkListener {
  private static readonly logger = new Logger('DuplexLink');
  private session: Session | undefined;
  private opening = false;
  private ended = false;
  /** The client closed on purpose (WebSocket 1000): its session ends with the link. */
  private endRequested = false;
  /** Frames that arrived while the session was being opened, in order. */
  private readonly queued: Envelope[] = [];
  private readonly handshakeTimer: NodeJS.Timeout;
  private readonly heartbeat: LinkHeartbeat;

  constructor(
    private readonly link: Link,
    private readonly options: ResolvedDuplexOptions,
    private readonly registry: SessionRegistry,
    private readonly delivery: OutboundDelivery,
    private readonly inbound: InboundProcessor,
  ) {
    this.handshakeTimer = setTimeout(() => link.close(LinkCloseCode.POLICY, 'no hello'), options.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    this.heartbeat = new LinkHeartbeat(
      options.heartbeat.intervalMs,
      options.heartbeat.timeoutMs,
      () => link.sendControl(controlEnvelope(MessageType.HEARTBEAT, this.session?.id ?? '', {})),
      () => {
        link.close(LinkCloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        this.closed();
      },
    );
  }

  receive(envelope: Envelope): void {
    if (this.ended) return;
    this.heartbeat.received();
    if (this.session !== undefined && !this.opening) {
      this.inbound.process(this.session, this.link, envelope);
      return;
    }
    if (this.opening) {
      if (this.queued.length >= MAX_QUEUED_BEFORE_WELCOME) {
        this.link.close(LinkCloseCode.POLICY, 'too many frames before the welcome');
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
      this.link.close(LinkCloseCode.GOING_AWAY, 'internal error');
    });
  }

  reject(error: DuplexError, replyTo?: string): void {
    if (this.ended) return;
    this.heartbeat.received();
    this.link.sendControl(
      controlEnvelope(MessageType.ERROR, this.session?.id ?? '', error.toData(), replyTo === undefined ? {} : { reply_to: replyTo }),
    );
  }

  closed(endSession = false): void {
    if (this.ended) return;
    this.ended = true;
    this.endRequested = endSession;
    clearTimeout(this.handshakeTimer);
    this.heartbeat.stop();
    const session = this.session;
    if (session === undefined) return;
    // A client that says goodbye ends its session; a link that merely dropped leaves it resumable.
    if (endSession && session.link === this.link) this.registry.expire(session);
    else this.registry.detach(session, this.link);
  }

  private async open(hello: Envelope | undefined): Promise<void> {
    const identity = this.options.identify(this.link.principal);
    let resumeError: DuplexError | undefined;
    let session: Session | undefined;
    let clientLastSeq = 0;
    const resume = hello === undefined ? undefined : readResume(hello);
    if (resume instanceof DuplexError) {
      resumeError = resume;
    } else if (resume !== undefined) {
      const result = this.registry.resume(resume.sessionId, resume.resumeToken, identity);
      if (result.ok) {
        session = result.session;
        clientLastSeq = resume.lastSeq;
      } else {
        resumeError = result.error;
      }
    }
    let lastAssigned = 0;
    for (;;) {
      const fresh = session === undefined;
      session ??= await this.registry.create(this.link.principal, identity);
      lastAssigned = await this.delivery.lastSeq(session);
      if (this.ended) {
        // The link died while we waited on the store. A fresh session nobody will ever learn of,
        // or one the client ended on purpose, goes at once; a resumed one keeps its TTL.
        if (fresh || this.endRequested) {
          if (session.link === undefined) this.registry.expire(session);
        }
        return;
      }
      if (!session.closed && !session.overflowed) break;
      // The session ended (expired, overflowed, closed by its other link) during the wait.
      resumeError = new DuplexError(
        session.overflowed ? ErrorCode.OUTBOX_OVERFLOW : ErrorCode.SESSION_EXPIRED,
        'The session ended while it was being resumed',
      );
      session = undefined;
      clientLastSeq = 0;
    }
    // From here to the end nothing awaits: the welcome is the first frame, replay comes after it.
    this.registry.attach(session, this.link);
    this.session = session;
    this.link.sendControl(
      controlEnvelope(MessageType.RESPONSE, session.id, welcomeData(session, this.link, resume !== undefined && !resumeError, this.options, resumeError), {
        action: HELLO_ACTION,
        ...(hello === undefined ? {} : { reply_to: hello.id }),
      }),
    );
    this.delivery.attached(session, clientLastSeq, lastAssigned);
    clearTimeout(this.handshakeTimer);
    this.heartbeat.start();
    this.opening = false;
    for (const envelope of this.queued.splice(0)) this.inbound.process(session, this.link, envelope);
  }
}

function readResume(hello: Envelope): ResumeRequest | DuplexError | undefined {
  const { session_id: sessionId, resume_token: resumeToken, last_seq: lastSeq } = hello.data;
  if (sessionId === undefined && resumeToken === undefined) return undefined;
  if (typeof sessionId !== 'string' || typeof resumeToken !== 'string') {
    return new DuplexError(ErrorCode.SESSION_EXPIRED, 'A resume needs "session_id" and "resume_token" strings');
  }
  const last = lastSeq ?? 0;
  if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0) {
    return new DuplexError(ErrorCode.SESSION_EXPIRED, '"last_seq" must be a non-negative integer');
  }
  return { sessionId, resumeToken, lastSeq: last };
}

function welcomeData(session: Session, link: Link, resumed: boolean, options: ResolvedDuplexOptions, resumeError: DuplexError | undefined) {
  return {
    session_id: session.id,
    resume_token: session.resumeToken,
    resumed,
    last_seq: session.inboundSeq,
    heartbeat: { interval_ms: options.heartbeat.intervalMs, timeout_ms: options.heartbeat.timeoutMs },
    ack: { interval_ms: options.ack.intervalMs, max_messages: options.ack.maxMessages },
    limits: { max_payload: link.maxPayload },
    ...(resumeError === undefined ? {} : { resume_error: { code: resumeError.code, message: resumeError.message } }),
  };
}
