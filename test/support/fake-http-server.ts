/**
 * An in-memory server side of docs/protocol.md §2c for the client's unit specs, reached through
 * the client's `http.fetch` and `http.EventSource` options: sessions with an outbox and a client
 * seq, `POST /session`, `POST /messages`, held `GET /poll`, and event streams. Every request is
 * recorded; `script()` makes an endpoint answer a given status instead.
 */
import { DuplexClient, type DuplexClientOptions } from '../../lib/client/index.js';
import type { Envelope, EnvelopeData } from '../../lib/envelope/envelope.js';
import type { EventSourceEventLike, EventSourceLike, FetchInitLike, FetchLike, FetchResponseLike } from '../../lib/client/transports/http-like.js';

export interface RecordedRequest {
  /** The body as sent, for its size. */
  raw: string | undefined;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeSession {
  id: string;
  token: string;
  nextSeq: number;
  outbox: Array<{ seq: number; text: string }>;
  clientSeq: number;
  ended: boolean;
}

type Scripted = { status: number; body?: unknown } | 'network';

const json = (status: number, body: unknown): FetchResponseLike =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }) as FetchResponseLike;

const errorBody = (code: string, message: string) => ({ id: 'e', type: 'error', action: '', data: { code, message }, timestamp: 0, session_id: '' });

export class FakeEventSource implements EventSourceLike {
  private readonly listeners = new Map<string, Array<(event: EventSourceEventLike) => void>>();
  closed = false;

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
  }

  emit(type: string, data?: string): void {
    if (this.closed) return;
    for (const listener of this.listeners.get(type) ?? []) listener({ type, data });
  }
}

export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  readonly streams: FakeEventSource[] = [];
  readonly sessions = new Map<string, FakeSession>();
  heartbeat = { interval_ms: 25_000, timeout_ms: 20_000 };
  ack = { interval_ms: 5, max_messages: 32 };
  maxPayload = 1_048_576;
  /** Called with each session the server creates, before its welcome goes out. */
  onCreate: (session: FakeSession) => void = () => undefined;
  /** Answers the client's requests: `echo` returns its data. */
  readonly handlers = new Map<string, (data: EnvelopeData) => EnvelopeData>([['echo', (data) => data]]);
  /** Notifications and answers the client sent, in the order the server ran them. */
  readonly received: Envelope[] = [];
  /** Polls held now. */
  held = 0;
  /** Streams open now: `true` makes a new one open (the `open` event) on its own. */
  autoOpenStreams = true;
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly wakers = new Set<() => void>();
  private readonly breakers = new Set<() => void>();
  private readonly watchers = new Set<() => void>();
  private count = 0;

  /** The next answers of `METHOD /path` (e.g. `GET /poll`), in order; then the server answers normally. */
  script(endpoint: string, ...answers: Scripted[]): void {
    this.scripts.set(endpoint, answers);
  }

  readonly fetch: FetchLike = (url, init) => this.handle(url, init ?? {});

  readonly EventSource: new (url: string) => FakeEventSource = ((server: FakeHttpServer) =>
    class extends FakeEventSource {
      constructor(url: string) {
        super(url);
        server.streams.push(this);
        server.changed();
        if (server.autoOpenStreams) queueMicrotask(() => server.openStream(this));
      }
    })(this);

  get session(): FakeSession {
    const last = [...this.sessions.values()].at(-1);
    if (last === undefined) throw new Error('no session yet');
    return last;
  }

  /** Sends a sequenced message to the session (to held polls and open streams). */
  push(type: 'notification' | 'request' | 'response' | 'error', action: string, data: EnvelopeData, replyTo?: string, session = this.session): number {
    const seq = session.nextSeq++;
    const envelope = { id: `s-${seq}`, type, action, data, timestamp: 0, session_id: session.id, seq, ...(replyTo ? { reply_to: replyTo } : {}) };
    const text = JSON.stringify(envelope);
    session.outbox.push({ seq, text });
    for (const stream of this.streams) {
      if (!stream.closed && new URL(stream.url).searchParams.get('session_id') === session.id) stream.emit('message', text);
    }
    for (const wake of [...this.wakers]) wake();
    this.changed();
    return seq;
  }

  /** Held polls fail as a dropped connection would. */
  breakHeldPolls(): void {
    for (const fail of [...this.breakers]) fail();
  }

  openStream(stream: FakeEventSource): void {
    stream.emit('open');
    const id = new URL(stream.url).searchParams.get('session_id');
    const cursor = Number(new URL(stream.url).searchParams.get('cursor'));
    const session = id === null ? undefined : this.sessions.get(id);
    for (const entry of session?.outbox ?? []) if (entry.seq > cursor) stream.emit('message', entry.text);
  }

  /** Requests of `METHOD /path`. */
  of(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === endpoint);
  }

  /** Envelopes the client POSTed to /messages, flattened. */
  posted(): Envelope[] {
    return this.of('POST /duplex/messages').flatMap((r) => (Array.isArray(r.body) ? (r.body as Envelope[]) : [r.body as Envelope]));
  }

  /** Resolves when `predicate` holds after some request or push; rejects after `ms`. */
  until(predicate: () => boolean, what: string, ms = 3000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        this.watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`Timed out waiting for ${what}`));
      }, ms);
      this.watchers.add(check);
      check();
    });
  }

  private changed(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  private async handle(url: string, init: FetchInitLike): Promise<FetchResponseLike> {
    const parsed = new URL(url);
    const method = init.method ?? 'GET';
    const request: RecordedRequest = {
      raw: init.body,
      method,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: init.headers ?? {},
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    this.requests.push(request);
    this.changed();
    await Promise.resolve();
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const scripted = this.scripts.get(`${method} ${parsed.pathname.replace('/duplex', '')}`)?.shift();
    if (scripted === 'network') throw new TypeError('fetch failed');
    if (scripted !== undefined) return json(scripted.status, scripted.body ?? errorBody('x', `scripted ${scripted.status}`));
    switch (`${method} ${parsed.pathname}`) {
      case 'GET /duplex/negotiate':
        return json(200, { protocol_version: 2, transports: [{ transport: 'websocket' }, { transport: 'sse' }, { transport: 'long-polling' }] });
      case 'POST /duplex/session':
        return this.open(request.body as Envelope);
      case 'POST /duplex/messages':
        return this.messages(request);
      case 'GET /duplex/poll':
        return this.poll(request, init.signal);
    }
    return json(404, errorBody('not_found', 'no such endpoint'));
  }

  private open(hello: Envelope): FetchResponseLike {
    const asked = this.sessions.get(String(hello.data.session_id));
    const resumed = asked !== undefined && !asked.ended && asked.token === hello.data.resume_token;
    const session = resumed ? asked : this.create();
    const data = {
      session_id: session.id,
      resume_token: session.token,
      resumed,
      last_seq: session.clientSeq,
      heartbeat: this.heartbeat,
      ack: this.ack,
      limits: { max_payload: this.maxPayload },
      ...(hello.data.session_id !== undefined && !resumed ? { resume_error: { code: 'session_expired', message: 'gone' } } : {}),
    };
    return json(200, { id: `w-${this.count}`, type: 'response', action: '$hello', reply_to: hello.id, data, timestamp: 0, session_id: session.id });
  }

  private create(): FakeSession {
    const session: FakeSession = { id: `session-${++this.count}`, token: `token-${this.count}`, nextSeq: 1, outbox: [], clientSeq: 0, ended: false };
    this.sessions.set(session.id, session);
    this.onCreate(session);
    return session;
  }

  private verify(request: RecordedRequest): FakeSession | FetchResponseLike {
    const id = request.headers['x-duplex-session'] ?? request.query.get('session_id') ?? '';
    const session = this.sessions.get(id);
    if (session === undefined || session.token !== (request.headers['x-duplex-token'] ?? request.query.get('token'))) {
      return json(401, errorBody('session_expired', 'unknown session'));
    }
    if (session.ended) return json(410, errorBody('session_expired', 'the session ended'));
    return session;
  }

  private messages(request: RecordedRequest): FetchResponseLike {
    const session = this.verify(request);
    if (!('outbox' in session)) return session;
    const envelopes = (Array.isArray(request.body) ? request.body : [request.body]) as Envelope[];
    const replies: unknown[] = [];
    let acked = 0;
    for (const envelope of envelopes) {
      if (envelope.ack !== undefined) this.trim(session, envelope.ack);
      if (envelope.type === 'ack') this.trim(session, envelope.data.seq as number);
      else if (envelope.type === 'heartbeat' && envelope.reply_to === undefined) {
        replies.push({ id: `hb-${envelope.id}`, type: 'heartbeat', action: '', data: {}, reply_to: envelope.id, timestamp: 0, session_id: session.id });
      } else if (envelope.action === '$bye') {
        replies.push({ id: 'bye', type: 'response', action: '$bye', data: {}, reply_to: envelope.id, timestamp: 0, session_id: session.id });
        session.ended = true;
      } else if (envelope.seq !== undefined) {
        if (envelope.seq !== session.clientSeq + 1) continue;
        session.clientSeq = envelope.seq;
        acked = envelope.seq;
        this.received.push(envelope);
        const handler = envelope.type === 'request' ? this.handlers.get(envelope.action) : undefined;
        if (handler !== undefined) this.push('response', envelope.action, handler(envelope.data), envelope.id, session);
      }
    }
    if (acked > 0) replies.push({ id: `ack-${acked}`, type: 'ack', action: '', data: { seq: acked }, timestamp: 0, session_id: session.id });
    this.changed();
    return json(200, replies);
  }

  private trim(session: FakeSession, upTo: number): void {
    session.outbox = session.outbox.filter((entry) => entry.seq > upTo);
  }

  private async poll(request: RecordedRequest, signal: AbortSignal | undefined): Promise<FetchResponseLike> {
    const session = this.verify(request);
    if (!('outbox' in session)) return session;
    const cursor = Number(request.query.get('cursor'));
    const waitMs = request.query.has('wait_ms') ? Number(request.query.get('wait_ms')) : 25_000;
    this.trim(session, cursor);
    if (session.outbox.length === 0 && waitMs > 0) {
      this.held++;
      this.changed();
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => settle(), waitMs);
          const settle = (error?: Error): void => {
            clearTimeout(timer);
            this.wakers.delete(wake);
            this.breakers.delete(fail);
            if (error === undefined) resolve();
            else reject(error);
          };
          const wake = (): void => settle();
          const fail = (): void => settle(new TypeError('fetch failed'));
          this.wakers.add(wake);
          this.breakers.add(fail);
          signal?.addEventListener('abort', () => settle(new DOMException('aborted', 'AbortError')));
        });
      } finally {
        this.held--;
        this.changed();
      }
    }
    if (session.ended) return json(410, errorBody('session_expired', 'the session ended'));
    return json(200, session.outbox.map((entry) => JSON.parse(entry.text) as unknown));
  }
}

/**
 * Real DuplexClients on fake servers, over `protocolType` unless the options list transports;
 * `closeAll()` after each test disconnects them.
 */
export function fakeHttpClients(protocolType: 'sse' | 'long-polling') {
  const clients: DuplexClient[] = [];
  return {
    setup(options: Partial<DuplexClientOptions> = {}): { server: FakeHttpServer; client: DuplexClient } {
      const server = new FakeHttpServer();
      const transport = options.transports === undefined ? { protocolType } : {};
      const http = { fetch: server.fetch, EventSource: server.EventSource, ...options.http };
      const client = new DuplexClient({ serverUrl: 'http://h', ...transport, random: () => 0, ...options, http });
      clients.push(client);
      return { server, client };
    },
    track(client: DuplexClient): DuplexClient {
      clients.push(client);
      return client;
    },
    async closeAll(): Promise<void> {
      await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    },
  };
}
