/**
 * One link from open to end: sends the hello, waits for the welcome (within a deadline), then
 * watches liveness, answers heartbeats and, when asked, says goodbye. It reports exactly one
 * `ended`, however the link dies, with the failure classified when there was no welcome.
 * Sessions, sequencing and reconnection belong to the client, which outlives connections.
 */
import { DuplexError } from '../envelope/duplex.error.js';
import { type Envelope, HELLO_ACTION } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import { decodeJson, encodeJson } from '../envelope/json-codec.js';
import { makeEnvelope } from './client-envelopes.js';
import { CloseCode } from './close-codes.js';
import { HeartbeatMonitor } from './heartbeat-monitor.js';
import type { ClientLink, ClientTransport, LinkCloseInfo } from './transports/client-transport.js';
import { classified, TransportFailure } from './transports/transport-failure.js';
import { parseWelcome, type Welcome } from './welcome.js';

/**
 * How a connection ended. Without a welcome it was a failed attempt: `error` says why, with
 * `details.failure` and `details.transport`.
 */
export type ConnectionEnd = LinkCloseInfo & ({ welcomed: true } | { welcomed: false; error: DuplexError; failure: TransportFailure });

export interface ConnectionSettings {
  hello: Envelope;
  /** Deadline for open + welcome. */
  handshakeTimeoutMs: number;
  /** Replaces the welcome's `timeout_ms` when set (client option `heartbeat.timeoutMs`). */
  heartbeatTimeoutMs: number | undefined;
  /** The client's cumulative ack, for transports that send it as a cursor. */
  position(): number;
}

export interface ConnectionHooks {
  /** Called synchronously: frames that follow the welcome are only delivered after it returns. */
  welcomed(welcome: Welcome): void;
  /** Any frame after the welcome except heartbeats. */
  frame(envelope: Envelope): void;
  /** A frame that could not be read: worth reporting, not worth dropping the link for. */
  problem(error: DuplexError): void;
  ended(end: ConnectionEnd): void;
}

type Phase = 'opening' | 'handshaking' | 'live' | 'ended';

export class ClientConnection {
  private phase: Phase = 'opening';
  private link: ClientLink | undefined;
  private sessionId = '';
  /** Why the attempt failed, as soon as something could say (kept until the end). */
  private error: DuplexError | undefined;
  private failure: TransportFailure | undefined;
  private bye: { id: string; answered: () => void } | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly heartbeat = new HeartbeatMonitor((silentMs) =>
    this.kill(`heartbeat timeout: nothing received for ${silentMs} ms`),
  );
  private readonly endedPromise: Promise<void>;
  private resolveEnded!: () => void;

  private readonly hello: Envelope;

  constructor(
    private readonly transport: ClientTransport,
    private readonly settings: ConnectionSettings,
    private readonly hooks: ConnectionHooks,
  ) {
    this.hello = settings.hello;
    this.endedPromise = new Promise<void>((resolve) => (this.resolveEnded = resolve));
  }

  get isLive(): boolean {
    return this.phase === 'live';
  }

  start(): void {
    // One deadline for TCP, the upgrade and the welcome: a black-holed server must not hang connect().
    const { handshakeTimeoutMs } = this.settings;
    this.handshakeTimer = setTimeout(() => this.kill(`no welcome within ${handshakeTimeoutMs} ms`), handshakeTimeoutMs);
    this.link = this.transport.open({
      open: () => this.onOpen(),
      message: (text) => this.onMessage(text),
      error: (error, failure) => this.onLinkError(error, failure),
      close: (info) => this.finish(info),
      position: () => this.settings.position(),
    });
  }

  /** Sends one frame; only a live (welcomed) connection sends anything but the hello. */
  send(text: string): void {
    if (this.phase === 'live') this.link?.send(text);
  }

  /** Orderly close; resolves when the link has ended, or after `graceMs` by dropping it. */
  close(code: number, reason: string, graceMs: number): Promise<void> {
    if (this.phase !== 'ended') {
      this.link?.close(code, reason);
      this.closeTimer ??= setTimeout(() => this.kill(reason, code), graceMs);
    }
    return this.endedPromise;
  }

  /**
   * Sends the goodbye (an unsequenced `$bye` request) on a live connection; resolves when the
   * link ends (the server answers, ends the session, then closes: the close means it is over),
   * when an `error` answers the goodbye (a server that does not know it; no close will follow),
   * or after `waitMs`, whichever comes first. The caller closes the link afterwards.
   */
  goodbye(bye: Envelope, waitMs: number): Promise<void> {
    if (this.phase !== 'live') return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = new Promise<void>((resolve) => {
      this.bye = { id: bye.id, answered: resolve };
      timer = setTimeout(resolve, waitMs);
    });
    this.link?.send(encodeJson(bye));
    return Promise.race([answered, this.endedPromise]).finally(() => clearTimeout(timer));
  }

  /** Drops the link at once: it is dead or misbehaving. A dead link ends the connection, never the session. */
  kill(reason: string, code: number = CloseCode.ABNORMAL): void {
    if (this.phase === 'ended') return;
    this.link?.terminate();
    this.finish({ code, reason });
  }

  /**
   * Before the welcome an error explains a failed attempt. After it, a socket error only announces
   * the close that follows (browsers fire one before every abnormal close: 'disconnected' says it
   * better); other problems, like a binary frame, leave the link up and are worth reporting.
   */
  private onLinkError(error: DuplexError, failure: TransportFailure | undefined): void {
    if (this.phase !== 'live') {
      this.error ??= error;
      this.failure ??= failure;
    } else if (error.code !== ErrorCode.NOT_CONNECTED) this.hooks.problem(error);
  }

  private onOpen(): void {
    if (this.phase !== 'opening') return;
    this.phase = 'handshaking';
    this.link?.send(encodeJson(this.hello));
  }

  private onMessage(text: string): void {
    if (this.phase === 'ended') return;
    this.heartbeat.touch();
    const decoded = decodeJson(text);
    if (!decoded.ok) {
      this.hooks.problem(decoded.error);
      return;
    }
    const envelope = decoded.envelope;
    if (this.phase === 'handshaking') {
      this.onHandshakeFrame(envelope);
    } else if (envelope.type === 'heartbeat') {
      this.onHeartbeat(envelope);
    } else if (this.bye !== undefined && envelope.reply_to === this.bye.id) {
      if (envelope.type === 'error') this.bye.answered();
    } else {
      this.hooks.frame(envelope);
    }
  }

  private onHandshakeFrame(envelope: Envelope): void {
    if (envelope.type === 'error' && envelope.reply_to === this.hello.id) {
      const code = typeof envelope.data.code === 'string' ? envelope.data.code : ErrorCode.INTERNAL;
      const message = typeof envelope.data.message === 'string' ? envelope.data.message : 'hello refused';
      // Our server said no (a full server says `session_limit`, which is worth retrying later).
      this.error = new DuplexError(code, `The server refused the hello: ${message}`);
      this.failure = TransportFailure.REFUSED;
      this.kill(`hello refused (${code})`);
      return;
    }
    const isWelcome =
      envelope.type === 'response' &&
      envelope.action === HELLO_ACTION &&
      (envelope.reply_to === undefined || envelope.reply_to === this.hello.id);
    const welcome = isWelcome ? parseWelcome(envelope.data) : undefined;
    if (welcome === undefined || welcome instanceof DuplexError) {
      this.error = welcome ?? new DuplexError(ErrorCode.BAD_ENVELOPE, `Expected the welcome, got a ${envelope.type} "${envelope.action}"`);
      this.failure = TransportFailure.BLOCKED;
      this.kill('protocol error: no welcome');
      return;
    }
    this.clearHandshakeTimer();
    this.phase = 'live';
    this.sessionId = welcome.sessionId;
    this.heartbeat.start(welcome.heartbeat.intervalMs + (this.settings.heartbeatTimeoutMs ?? welcome.heartbeat.timeoutMs));
    this.hooks.welcomed(welcome);
  }

  private onHeartbeat(envelope: Envelope): void {
    // An echo of a probe of ours needs nothing more: its arrival already counted as life.
    if (envelope.reply_to !== undefined) return;
    const echo = makeEnvelope('heartbeat', '', {}, envelope.id);
    echo.session_id = this.sessionId;
    this.link?.send(encodeJson(echo));
  }

  private finish(info: LinkCloseInfo): void {
    if (this.phase === 'ended') return;
    const reached = this.phase;
    this.phase = 'ended';
    this.clearHandshakeTimer();
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.heartbeat.stop();
    this.resolveEnded();
    if (reached === 'live') {
      this.hooks.ended({ ...info, welcomed: true });
      return;
    }
    const { error, failure } = this.attemptFailure(info, reached === 'handshaking');
    this.hooks.ended({ ...info, welcomed: false, error: classified(error, failure, this.transport.name), failure });
  }

  /**
   * Why a link that never got its welcome failed. What the transport or the server said comes
   * first; otherwise a link that never opened met nobody (`unreachable`), and one that opened
   * but closed before the welcome met something that is not our server (`blocked`).
   */
  private attemptFailure(info: LinkCloseInfo, opened: boolean): { error: DuplexError; failure: TransportFailure } {
    if (this.failure === undefined && info.code === CloseCode.TRY_AGAIN_LATER) {
      const error = new DuplexError(ErrorCode.SESSION_LIMIT, `The server has no room for another session now (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
      return { error, failure: TransportFailure.REFUSED };
    }
    const failure = this.failure ?? (opened ? TransportFailure.BLOCKED : TransportFailure.UNREACHABLE);
    const reason = info.reason || `close code ${info.code}`;
    return { error: this.error ?? new DuplexError(ErrorCode.NOT_CONNECTED, `Could not connect to ${this.transport.endpoint}: ${reason}`), failure };
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }
}
