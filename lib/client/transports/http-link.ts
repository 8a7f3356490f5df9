/**
 * One link over HTTP (docs/protocol.md §2c), shared by SSE and long-polling: the hello goes up as
 * `POST {prefix}/session`, the welcome is handed to the client only once the way down (a poll, an
 * event stream) has answered — so a proxy that blocks it fails the attempt and the client moves
 * on — and what the client sends goes up as `POST {prefix}/messages`. The way down is the
 * transport's own (a Downstream). Closing the link aborts every request it has in flight.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { BYE_ACTION, HELLO_ACTION } from '../../envelope/envelope.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { encodeJson } from '../../envelope/json-codec.js';
import { makeEnvelope } from '../client-envelopes.js';
import { CloseCode } from '../close-codes.js';
import type { ClientLink, ClientLinkListener, LinkCloseInfo } from './client-transport.js';
import { attemptFailure, networkError } from './http-answers.js';
import type { HttpEndpoints, HttpTransportName } from './http-endpoints.js';
import type { FetchLike } from './http-like.js';
import { HttpUpstream } from './http-upstream.js';
import { TransportFailure } from './transport-failure.js';

export interface HttpSession {
  readonly id: string;
  readonly token: string;
  /** What proves the session on every request after the welcome. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What a way down reports to its link. */
export interface DownstreamSink {
  /** The way down answered: the link is usable (the welcome goes to the client now). */
  ready(): void;
  /** One envelope's JSON text. */
  message(text: string): void;
  /** The way down ended, and the link with it. Before ready(), `failure` classifies the attempt. */
  end(error: DuplexError, close: LinkCloseInfo, failure?: TransportFailure): void;
  /** The client's cumulative ack. */
  position(): number;
}

/** Starts the way down from `cursor`; it stops when `signal` aborts. */
export type OpenDownstream = (session: HttpSession, cursor: number, sink: DownstreamSink, signal: AbortSignal) => void;

export interface HttpLinkConfig {
  transport: HttpTransportName;
  fetch: FetchLike;
  endpoints: HttpEndpoints;
  openDownstream: OpenDownstream;
  /**
   * Long-polling: every poll's cursor is the client's ack, so bare `ack` envelopes stay home, and
   * as nothing comes down while nothing happens, the link sends a heartbeat after an idle interval
   * (its echo is the sign of life the client's heartbeat watch needs).
   */
  pollsAck: boolean;
}

type State = 'opening' | 'hello' | 'starting' | 'live' | 'ended';

type Json = Record<string, unknown>;

function objectOf(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Bare acks are tiny; anything long is not one, and is not parsed to find out. */
function isBareAck(text: string): boolean {
  if (text.length > 512 || !text.includes('"ack"')) return false;
  try {
    return objectOf(JSON.parse(text)).type === 'ack';
  } catch {
    return false;
  }
}

/**
 * Where the way down starts: what the hello said it had processed, when the welcome resumed that
 * session; 0 for a fresh one (the client's own position still belongs to the old session then).
 */
function firstCursor(hello: Json, welcome: Json): number {
  const asked = objectOf(hello.data);
  const data = objectOf(welcome.data);
  const resumed = data.resumed === true && typeof asked.session_id === 'string' && asked.session_id === data.session_id;
  return resumed && typeof asked.last_seq === 'number' ? asked.last_seq : 0;
}

function welcomeSession(welcome: Json): { id: string; token: string } | undefined {
  const data = objectOf(welcome.data);
  if (welcome.type !== 'response' || welcome.action !== HELLO_ACTION) return undefined;
  if (typeof data.session_id !== 'string' || data.session_id === '' || typeof data.resume_token !== 'string') return undefined;
  return { id: data.session_id, token: data.resume_token };
}

function positiveNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

export class HttpLink implements ClientLink {
  private state: State = 'opening';
  private readonly abort = new AbortController();
  private upstream: HttpUpstream | undefined;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  /** When something last came down (long-polling sends a heartbeat after an interval of silence). */
  private lastHeard = 0;

  constructor(
    private readonly config: HttpLinkConfig,
    private readonly listener: ClientLinkListener,
  ) {
    // Nothing to connect before the hello: the link is open as soon as the caller holds it.
    queueMicrotask(() => {
      if (this.state === 'opening') listener.open();
    });
  }

  send(text: string): void {
    if (this.state === 'opening') {
      this.state = 'hello';
      void this.hello(text);
    } else if (this.state === 'live' && !(this.config.pollsAck && isBareAck(text))) {
      this.upstream?.send(text);
    }
    // Before the welcome the client sends nothing but its hello; after the end, nothing goes.
  }

  close(code: number, reason: string): void {
    // HTTP has no closing handshake: the server notices the stream or poll going away.
    queueMicrotask(() => this.finish({ code, reason }));
  }

  terminate(): void {
    queueMicrotask(() => this.finish({ code: CloseCode.ABNORMAL, reason: 'terminated' }));
  }

  private async hello(text: string): Promise<void> {
    const { fetch, endpoints, transport } = this.config;
    const what = 'POST /session';
    let status: number;
    let body: string;
    try {
      const response = await fetch(endpoints.session(transport), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
        signal: this.abort.signal,
        cache: 'no-store',
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      this.failAttempt(networkError(error, what), TransportFailure.UNREACHABLE);
      return;
    }
    if (this.state !== 'hello') return;
    if (status !== 200) {
      const { error, failure } = attemptFailure(status, body, what);
      this.failAttempt(error, failure);
      return;
    }
    let welcome: Json;
    try {
      welcome = objectOf(JSON.parse(body));
    } catch {
      this.failAttempt(new DuplexError(ErrorCode.NOT_CONNECTED, `${what} was not answered with JSON`, undefined, status), TransportFailure.BLOCKED);
      return;
    }
    const session = welcomeSession(welcome);
    if (session === undefined) {
      // An error answering the hello, or no welcome at all: the client judges it (and ends the link).
      this.listener.message(body);
      return;
    }
    this.start(session, welcome, body, objectOf(JSON.parse(text)));
  }

  private start(ids: { id: string; token: string }, welcome: Json, welcomeText: string, hello: Json): void {
    this.state = 'starting';
    const data = objectOf(welcome.data);
    const session: HttpSession = {
      ...ids,
      headers: { 'content-type': 'application/json', 'x-duplex-session': ids.id, 'x-duplex-token': ids.token },
    };
    const signal = this.abort.signal;
    this.upstream = new HttpUpstream(
      { fetch: this.config.fetch, url: this.config.endpoints.messages(this.config.transport), headers: session.headers, signal, maxPayload: positiveNumber(objectOf(data.limits).max_payload, 1_048_576) },
      {
        reply: (envelope) => this.onReply(envelope),
        failed: (_error, close) => this.finish(close),
      },
    );
    this.config.openDownstream(session, firstCursor(hello, welcome), {
      ready: () => {
        if (this.state !== 'starting') return;
        this.state = 'live';
        this.deliver(welcomeText);
        if (this.config.pollsAck && this.state === 'live') this.heartbeatAfterSilence(ids.id, positiveNumber(objectOf(data.heartbeat).interval_ms, 25_000));
      },
      message: (text) => {
        if (this.state === 'live') this.deliver(text);
      },
      end: (error, close, failure) => {
        if (this.state === 'starting') this.failAttempt(error, failure ?? TransportFailure.BLOCKED, close);
        // On a welcomed link the close code says it all (as a WebSocket close would).
        else this.finish(close);
      },
      position: () => this.listener.position(),
    }, signal);
  }

  private deliver(text: string): void {
    this.lastHeard = Date.now();
    this.listener.message(text);
  }

  private onReply(envelope: Json): void {
    if (this.state !== 'live') return;
    this.deliver(JSON.stringify(envelope));
    // The server ended the session on our goodbye: nothing more will come down.
    if (envelope.type === 'response' && envelope.action === BYE_ACTION) this.finish({ code: CloseCode.NORMAL, reason: 'session ended' });
  }

  /**
   * After `intervalMs` with nothing heard, a heartbeat goes up; its echo comes back in the POST's
   * answer. One timer, re-armed for the rest of the silence (no churn per message).
   */
  private heartbeatAfterSilence(sessionId: string, intervalMs: number): void {
    const check = (): void => {
      if (this.state !== 'live') return;
      const silent = Date.now() - this.lastHeard;
      let wait = intervalMs - silent;
      if (silent >= intervalMs) {
        const heartbeat = makeEnvelope('heartbeat', '', {});
        heartbeat.session_id = sessionId;
        this.upstream?.send(encodeJson(heartbeat));
        // The next one goes an interval later if no echo (nor anything else) comes meanwhile.
        this.lastHeard = Date.now();
        wait = intervalMs;
      }
      this.heartbeatTimer = setTimeout(check, wait);
    };
    this.heartbeatTimer = setTimeout(check, intervalMs);
  }

  private failAttempt(error: DuplexError, failure: TransportFailure, close: LinkCloseInfo = { code: CloseCode.ABNORMAL, reason: error.message }): void {
    if (this.state === 'ended') return;
    this.listener.error(error, failure);
    this.finish(close);
  }

  private finish(info: LinkCloseInfo): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.abort.abort();
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    this.listener.close(info);
  }
}
