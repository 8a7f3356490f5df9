/**
 * The client's protocol behaviour against a scripted server: a real `ws` server on 127.0.0.1 that
 * plays the server side of docs/protocol.md (welcome, resume with replay, seq/ack, heartbeats) and
 * whose every move is driven by the test. No sleeps: every wait is on an event with a deadline.
 */
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, EnvelopeData } from '../envelope/envelope.js';
import { DuplexClient, type DuplexClientOptions } from './index.js';
import { nextEvent, withDeadline } from '../../test/support/client-events.js';

// --- helpers ---------------------------------------------------------------------------------

async function rejectionOf(promise: Promise<unknown>): Promise<DuplexError> {
  const error = await withDeadline(
    promise.then(
      () => undefined,
      (e: unknown) => e,
    ),
    'a rejection',
  );
  expect(error).toBeInstanceOf(DuplexError);
  return error as DuplexError;
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

// --- the scripted server ---------------------------------------------------------------------

type Reply = { data: EnvelopeData } | { error: EnvelopeData } | 'ignore';

interface ServerSession {
  id: string;
  token: string;
  nextSeq: number;
  outbox: Array<{ seq: number; text: string }>;
  /** Highest client seq received: the welcome's `last_seq`. */
  clientLastSeq: number;
}

class ScriptedServer {
  readonly frames: Array<{ conn: number; env: Envelope }> = [];
  readonly sockets: WebSocket[] = [];
  readonly closes: Array<{ conn: number; code: number }> = [];
  session: ServerSession | undefined;
  heartbeat = { interval_ms: 25_000, timeout_ms: 20_000 };
  ack = { interval_ms: 20, max_messages: 32 };
  autoAck = true;
  /** When false, the server ignores a goodbye (as a server that does not know it might). */
  answerBye = true;
  /** When set, the welcome waits for releaseWelcome(). */
  holdWelcome = false;
  readonly handlers = new Map<string, (data: EnvelopeData) => Reply>();
  private heldWelcome: (() => void) | undefined;
  private readonly watchers = new Set<() => void>();
  private sessions = 0;

  private constructor(private readonly wss: WebSocketServer, readonly url: string) {}

  static async start(requiredToken?: string): Promise<ScriptedServer> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/duplex',
      verifyClient: (info, done) => {
        const token = new URL(info.req.url ?? '/', 'http://x').searchParams.get('token');
        done(requiredToken === undefined || token === requiredToken, 401);
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as { port: number };
    const server = new ScriptedServer(wss, `http://127.0.0.1:${port}`);
    wss.on('connection', (ws) => server.onConnection(ws));
    return server;
  }

  get current(): WebSocket {
    const ws = this.sockets.at(-1);
    if (ws === undefined) throw new Error('no connection yet');
    return ws;
  }

  /** Frames the server received, on one connection or all, optionally of one type or action. */
  received(filter: { conn?: number; type?: string; action?: string } = {}): Envelope[] {
    return this.frames
      .filter((f) => filter.conn === undefined || f.conn === filter.conn)
      .map((f) => f.env)
      .filter((e) => (filter.type === undefined || e.type === filter.type) && (filter.action === undefined || e.action === filter.action));
  }

  waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
    return withDeadline(
      new Promise<T>((resolve) => {
        const poll = (): void => {
          const value = check();
          if (value === undefined) return;
          this.watchers.delete(poll);
          resolve(value);
        };
        this.watchers.add(poll);
        poll();
      }),
      what,
    );
  }

  waitFrame(filter: { conn?: number; type?: string; action?: string }, count = 1): Promise<Envelope[]> {
    return this.waitFor(() => {
      const found = this.received(filter);
      return found.length >= count ? found : undefined;
    }, `${count} frame(s) ${JSON.stringify(filter)}`);
  }

  /** Sends a sequenced message to the session (and keeps it for replay); `onWire: false` loses it in transit. */
  send(type: 'notification' | 'request', action: string, data: EnvelopeData, onWire = true): { id: string; seq: number } {
    const session = this.requireSession();
    const seq = session.nextSeq++;
    const id = `s-${seq}`;
    const text = JSON.stringify({ id, type, action, data, timestamp: Date.now() / 1000, session_id: session.id, seq });
    session.outbox.push({ seq, text });
    if (onWire) this.current.send(text);
    return { id, seq };
  }

  /** Sends a sequenced answer to a client message (e.g. a second copy under a new seq, §6). */
  sendAnswer(type: 'response' | 'error', replyTo: string, data: EnvelopeData): void {
    const session = this.requireSession();
    const seq = session.nextSeq++;
    const text = JSON.stringify({ id: `s-${seq}`, type, action: '', reply_to: replyTo, data, timestamp: Date.now() / 1000, session_id: session.id, seq });
    session.outbox.push({ seq, text });
    this.current.send(text);
  }

  /** Sends an already-sent sequenced message again (a duplicate). */
  resend(seq: number): void {
    const item = this.requireSession().outbox.find((m) => m.seq === seq);
    if (item === undefined) throw new Error(`seq ${seq} is not in the outbox`);
    this.current.send(item.text);
  }

  sendRaw(envelope: Partial<Envelope>): void {
    this.current.send(JSON.stringify({ action: '', data: {}, timestamp: Date.now() / 1000, session_id: this.session?.id ?? '', ...envelope }));
  }

  releaseWelcome(): void {
    this.heldWelcome?.();
    this.heldWelcome = undefined;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private requireSession(): ServerSession {
    if (this.session === undefined) throw new Error('no session');
    return this.session;
  }

  private poke(): void {
    for (const poll of [...this.watchers]) poll();
  }

  private onConnection(ws: WebSocket): void {
    const conn = this.sockets.push(ws) - 1;
    let first = true;
    ws.on('message', (raw) => {
      const env = JSON.parse(String(raw)) as Envelope;
      this.frames.push({ conn, env });
      if (first) {
        first = false;
        this.onHello(ws, env);
      } else {
        this.onFrame(ws, env);
      }
      this.poke();
    });
    ws.on('close', (code) => {
      this.closes.push({ conn, code });
      this.poke();
    });
    this.poke();
  }

  private onHello(ws: WebSocket, hello: Envelope): void {
    const asked = hello.data.session_id;
    const resumed = typeof asked === 'string' && this.session?.id === asked && this.session.token === hello.data.resume_token;
    if (!resumed) {
      this.sessions++;
      this.session = { id: `session-${this.sessions}`, token: `token-${this.sessions}`, nextSeq: 1, outbox: [], clientLastSeq: 0 };
    }
    const session = this.requireSession();
    const welcome = {
      id: `welcome-${this.sockets.length}`,
      type: 'response',
      action: '$hello',
      reply_to: hello.id,
      timestamp: Date.now() / 1000,
      session_id: session.id,
      data: {
        session_id: session.id,
        resume_token: session.token,
        resumed,
        last_seq: session.clientLastSeq,
        heartbeat: this.heartbeat,
        ack: this.ack,
        ...(typeof asked === 'string' && !resumed ? { resume_error: { code: 'session_expired', message: 'Session expired' } } : {}),
      },
    };
    const lastSeq = typeof hello.data.last_seq === 'number' ? hello.data.last_seq : 0;
    const go = (): void => {
      ws.send(JSON.stringify(welcome));
      if (resumed) for (const item of session.outbox) if (item.seq > lastSeq) ws.send(item.text);
    };
    if (this.holdWelcome) this.heldWelcome = go;
    else go();
  }

  private onFrame(ws: WebSocket, env: Envelope): void {
    if (env.type === 'request' && env.action === '$bye' && this.answerBye) {
      // Protocol v2: the goodbye ends the session; the server answers, then closes with 1000.
      this.session = undefined;
      this.sendRaw({ id: `bye-${env.id}`, type: 'response', action: '$bye', reply_to: env.id });
      ws.close(1000, 'bye');
      return;
    }
    const session = this.requireSession();
    if (env.type === 'ack') {
      session.outbox = session.outbox.filter((m) => m.seq > (env.data.seq as number));
      return;
    }
    if (env.seq === undefined) return;
    if (env.seq <= session.clientLastSeq) return; // a duplicate: already handled
    session.clientLastSeq = env.seq;
    if (this.autoAck) this.sendRaw({ id: `ack-${env.seq}`, type: 'ack', data: { seq: env.seq } });
    if (env.type !== 'request') return;
    const handler = this.handlers.get(env.action);
    const reply: Reply = handler ? handler(env.data) : { error: { code: 'unknown_action', message: `No handler for ${env.action}` } };
    if (reply === 'ignore') return;
    const seq = session.nextSeq++;
    const answer = 'data' in reply ? { type: 'response', data: reply.data } : { type: 'error', data: reply.error };
    const text = JSON.stringify({ id: `s-${seq}`, action: env.action, reply_to: env.id, timestamp: Date.now() / 1000, session_id: session.id, seq, ...answer });
    session.outbox.push({ seq, text });
    ws.send(text);
  }
}

// --- the specs -------------------------------------------------------------------------------

const clients: DuplexClient[] = [];
const servers: ScriptedServer[] = [];

async function setup(
  options: Partial<DuplexClientOptions> = {},
  token?: string,
): Promise<{ server: ScriptedServer; client: DuplexClient }> {
  const server = await ScriptedServer.start(token);
  servers.push(server);
  const client = new DuplexClient({ serverUrl: server.url, WebSocket, random: () => 0, ...options });
  clients.push(client);
  return { server, client };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('DuplexClient: handshake', () => {
  it('sends a hello, sends nothing else until the welcome, then reports the session', async () => {
    const { server, client } = await setup();
    server.holdWelcome = true;
    const connected = nextEvent(client, 'connected');
    const outcome = client.connect();
    const [hello] = await server.waitFrame({ conn: 0 });
    expect(hello).toMatchObject({ type: 'request', action: '$hello', data: {}, session_id: '' });
    // While the welcome is held, the application queues traffic; a ping/pong round trip proves
    // that whatever the client wrote so far has reached the server.
    client.sendMessage({ action: 'early', data: { n: 1 } });
    const pong = new Promise((resolve) => server.current.once('pong', resolve));
    server.current.ping();
    await withDeadline(pong, 'pong');
    expect(server.received({ conn: 0 })).toHaveLength(1);

    server.releaseWelcome();
    expect(await outcome).toBe(true);
    expect(await connected).toEqual([{ sessionId: 'session-1', resumed: false }]);
    expect(client.connected).toBe(true);
    expect(client.sessionId).toBe('session-1');
    const [early] = await server.waitFrame({ action: 'early' });
    expect(early).toMatchObject({ type: 'notification', seq: 1, session_id: 'session-1', data: { n: 1 } });
  });

  it('resolves false with an unauthenticated error on HTTP 401, and false when unreachable', async () => {
    const { server } = await setup({}, 'secret');
    const refused = new DuplexClient({ serverUrl: server.url, WebSocket });
    clients.push(refused);
    const error = nextEvent(refused, 'error');
    expect(await refused.connect()).toBe(false);
    const [unauthenticated] = await error;
    expect(unauthenticated).toMatchObject({ code: 'unauthenticated', status: 401, details: { failure: 'refused', transport: 'websocket' } });

    const allowed = new DuplexClient({ serverUrl: server.url, query: { token: 'secret' }, WebSocket });
    clients.push(allowed);
    expect(await allowed.connect()).toBe(true);

    const closedServer = await ScriptedServer.start();
    const deadUrl = closedServer.url;
    await closedServer.close();
    const unreachable = new DuplexClient({ serverUrl: deadUrl, WebSocket });
    clients.push(unreachable);
    const notConnected = nextEvent(unreachable, 'error');
    const retries: number[] = [];
    unreachable.on('reconnecting', (attempt) => retries.push(attempt));
    expect(await unreachable.connect()).toBe(false);
    expect(retries).toEqual([]); // a failed first attempt is not retried
    expect((await notConnected)[0]).toMatchObject({ code: 'not_connected', details: { failure: 'unreachable' } });
    expect(unreachable.connected).toBe(false);
  });

  it('loads the ws package by itself when no WebSocket constructor is given', async () => {
    const { server } = await setup();
    const client = new DuplexClient({ serverUrl: server.url.replace('http:', 'ws:') });
    clients.push(client);
    expect(await client.connect()).toBe(true);
  });
});

describe('DuplexClient: requests and callbacks', () => {
  it('resolves a request with the response data and rejects with the server error code', async () => {
    const { server, client } = await setup();
    server.handlers.set('sum', (d) => ({ data: { total: (d.a as number) + (d.b as number) } }));
    server.handlers.set('strict', () => ({ error: { code: 'validation_failed', message: 'bad', status: 400, fields: ['text'] } }));
    await client.connect();

    await expect(client.request('sum', { a: 1, b: 2 })).resolves.toEqual({ total: 3 });
    const error = await rejectionOf(client.request('strict', {}));
    expect(error).toMatchObject({ code: 'validation_failed', message: 'bad', status: 400, details: { fields: ['text'] } });
    const unknown = await rejectionOf(client.request('nope', {}));
    expect(unknown.code).toBe('unknown_action');
    const requests = server.received({ type: 'request', conn: 0 }).filter((e) => e.action !== '$hello');
    expect(requests.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('rejects with timeout when nothing answers, and withdraws a request that never left the outbox', async () => {
    const { server, client } = await setup();
    server.handlers.set('slow', () => 'ignore');
    await client.connect();
    const started = Date.now();
    const sent = await rejectionOf(client.request('slow', {}, { timeoutMs: 60 }));
    expect(sent.code).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);

    const offline = new DuplexClient({ serverUrl: server.url, WebSocket });
    clients.push(offline);
    const queued = await rejectionOf(offline.request('slow', { offline: true }, { timeoutMs: 30 }));
    expect(queued.code).toBe('timeout');
    offline.sendMessage({ action: 'after' });
    await offline.connect();
    const [after] = await server.waitFrame({ action: 'after' });
    expect(after.seq).toBe(1);
    expect(server.received({ action: 'slow' }).filter((e) => e.data.offline)).toHaveLength(0);
  });

  it('answers server requests through the registered callback, sequenced like any client message', async () => {
    const { server, client } = await setup();
    client.registerCallback('double', (data) => ({ twice: (data.n as number) * 2 }));
    client.registerCallback('later', async () => 'text');
    client.registerCallback('deny', () => {
      throw new DuplexError('forbidden', 'Not yours');
    });
    const errors: DuplexError[] = [];
    client.on('error', (e) => errors.push(e));
    client.registerCallback('crash', () => {
      throw new Error('secret stack detail');
    });
    await client.connect();

    const ids = ['double', 'later', 'deny', 'crash', 'missing'].map((action) => server.send('request', action, { n: 21 }).id);
    const answers = await server.waitFor(() => {
      const byReply = new Map(server.received().filter((e) => e.reply_to).map((e) => [e.reply_to, e]));
      return ids.every((id) => byReply.has(id)) ? ids.map((id) => byReply.get(id)!) : undefined;
    }, 'five answers');
    expect(answers[0]).toMatchObject({ type: 'response', action: 'double', data: { twice: 42 } });
    expect(answers[1]).toMatchObject({ type: 'response', data: { value: 'text' } });
    expect(answers[2]).toMatchObject({ type: 'error', data: { code: 'forbidden', message: 'Not yours' } });
    expect(answers[3]).toMatchObject({ type: 'error', data: { code: 'internal', message: 'Internal error' } });
    expect(answers[4]).toMatchObject({ type: 'error', data: { code: 'unknown_action' } });
    expect(answers.map((a) => a.seq).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(errors.map((e) => e.code)).toEqual(['internal']);
  });

  it('invokes notification callbacks once each, in seq order, dropping duplicates', async () => {
    const { server, client } = await setup();
    const seen: number[] = [];
    const third = new Promise<void>((resolve) =>
      client.registerCallback('tick', (data, envelope) => {
        seen.push(envelope.seq ?? -1);
        if (data.n === 3) resolve();
      }),
    );
    await client.connect();
    server.send('notification', 'tick', { n: 1 });
    server.send('notification', 'tick', { n: 2 });
    server.resend(2);
    server.resend(1);
    server.send('notification', 'tick', { n: 3 });
    await withDeadline(third, 'the third notification');
    expect(seen).toEqual([1, 2, 3]);
    const [ack] = await server.waitFor(() => {
      const acks = server.received({ type: 'ack' }).filter((a) => a.data.seq === 3);
      return acks.length > 0 ? acks : undefined;
    }, 'ack 3');
    expect(ack).toMatchObject({ session_id: 'session-1', action: '' });
    expect(ack!.seq).toBeUndefined();
  });

  it('ignores a second copy of an answer that the server re-sent under a new seq', async () => {
    const { server, client } = await setup();
    server.handlers.set('strict', () => ({ error: { code: 'conflict', message: 'Taken' } }));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    const ticks: number[] = [];
    const tick = (): Promise<void> =>
      new Promise<void>((resolve) =>
        client.registerCallback('tick', (data) => {
          ticks.push(data.n as number);
          resolve();
        }),
      );
    await client.connect();

    expect((await rejectionOf(client.request('strict', {}))).code).toBe('conflict');
    const [request] = server.received({ action: 'strict', type: 'request' });
    const noteId = client.sendMessage({ action: 'note' });
    await server.waitFrame({ action: 'note' });
    server.sendAnswer('error', request!.id, { code: 'conflict', message: 'Taken' });
    server.sendAnswer('error', noteId, { code: 'unknown_action', message: 'No handler for note' });
    server.sendAnswer('error', noteId, { code: 'unknown_action', message: 'No handler for note' });
    // A later message is the barrier: frames arrive in order, so the copies have been handled.
    const ticked = tick();
    server.send('notification', 'tick', { n: 1 });
    await withDeadline(ticked, 'the tick');
    expect(errors).toEqual(['unknown_action']);
  });
});

describe('DuplexClient: bad frames', () => {
  it('reports binary and undecodable frames as bad_frame errors and keeps the link', async () => {
    const { server, client } = await setup();
    server.handlers.set('echo', (d) => ({ data: d }));
    await client.connect();
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    server.current.send(Buffer.from([1, 2, 3]));
    server.current.send('not json');
    await expect(client.request('echo', { still: 'up' })).resolves.toEqual({ still: 'up' });
    expect(errors).toEqual(['bad_frame', 'bad_frame']);
    expect(server.sockets).toHaveLength(1);
  });
});

describe('DuplexClient: acks', () => {
  it('acks at once when ack.max_messages are un-acked', async () => {
    const { server, client } = await setup();
    server.ack = { interval_ms: 60_000, max_messages: 3 };
    await client.connect();
    for (let n = 1; n <= 3; n++) server.send('notification', 'tick', { n });
    const [ack] = await server.waitFrame({ type: 'ack' });
    expect(ack!.data).toEqual({ seq: 3 });
  });

  it('acks no later than ack.interval_ms after the first un-acked message, once for the batch', async () => {
    const { server, client } = await setup();
    server.ack = { interval_ms: 40, max_messages: 100 };
    await client.connect();
    const started = Date.now();
    server.send('notification', 'tick', { n: 1 });
    server.send('notification', 'tick', { n: 2 });
    const acks = await server.waitFrame({ type: 'ack' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(acks.map((a) => a.data)).toEqual([{ seq: 2 }]);
  });
});

describe('DuplexClient: reconnect and resume', () => {
  it('resends un-acked messages after a resume, in order, with the same id and seq', async () => {
    const { server, client } = await setup();
    server.autoAck = false;
    server.handlers.set('echo', () => 'ignore');
    await client.connect();
    const ids = [1, 2, 3].map((n) => client.sendMessage({ action: 'note', data: { n } }));
    const pendingEcho = client.request('echo', { ok: true });
    await server.waitFrame({ action: 'echo', type: 'request' });
    // The server pretends only seq 1 arrived, answers nothing on this link, and the link dies.
    server.session!.clientLastSeq = 1;
    server.handlers.set('echo', (d) => ({ data: d }));
    const reconnected = nextEvent(client, 'reconnected');
    server.current.terminate();
    expect(await reconnected).toEqual([{ resumed: true }]);

    const [hello] = await server.waitFrame({ conn: 1, action: '$hello' });
    expect(hello!.data).toEqual({ session_id: 'session-1', resume_token: 'token-1', last_seq: 0 });
    const resent = await server.waitFrame({ conn: 1, action: 'note' }, 2);
    expect(resent.map((e) => [e.id, e.seq])).toEqual([
      [ids[1], 2],
      [ids[2], 3],
    ]);
    await expect(pendingEcho).resolves.toEqual({ ok: true });
    const [echo] = server.received({ conn: 1, action: 'echo', type: 'request' });
    expect(echo!.seq).toBe(4);
    expect(echo!.id).toBe(server.received({ conn: 0, action: 'echo', type: 'request' })[0]!.id);
  });

  it('queues messages while offline and bounds the queue', async () => {
    const { server, client } = await setup({ outbox: { maxMessages: 3 } });
    client.sendMessage({ action: 'first' });
    const answer = client.request('echo', { q: 1 });
    client.sendMessage({ action: 'third' });
    expect(() => client.sendMessage({ action: 'overflow' })).toThrow(expect.objectContaining({ code: 'outbox_overflow' }));
    expect((await rejectionOf(client.request('overflow', {}))).code).toBe('outbox_overflow');

    server.handlers.set('echo', (d) => ({ data: d }));
    await client.connect();
    await expect(answer).resolves.toEqual({ q: 1 });
    const frames = server.received({ conn: 0 }).filter((e) => e.type !== 'ack');
    expect(frames.map((e) => [e.action, e.seq])).toEqual([
      ['$hello', undefined],
      ['first', 1],
      ['echo', 2],
      ['third', 3],
    ]);

    // Offline again: what is sent during the outage arrives after the resume.
    client.on('disconnected', () => client.sendMessage({ action: 'during-outage' }));
    server.current.terminate();
    const [late] = await server.waitFrame({ conn: 1, action: 'during-outage' });
    expect(late!.seq).toBe(4);
  });

  it('reconnects with full-jitter exponential backoff and gives up after maxAttempts', async () => {
    const { server, client } = await setup({ random: () => 0.5, reconnect: { baseMs: 20, maxMs: 60, maxAttempts: 4 } });
    await client.connect();
    const attempts: Array<[number, number]> = [];
    client.on('reconnecting', (attempt, delayMs) => attempts.push([attempt, delayMs]));
    const gaveUp = nextEvent(client, 'error');
    // Nobody listens any more: every attempt is refused.
    await server.close();
    const [error] = await gaveUp;
    expect(error.code).toBe('not_connected');
    expect(error.message).toMatch(/after 4 attempts/);
    expect(attempts).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 30],
    ]);
    expect(client.connected).toBe(false);
    expect(client.sessionId).toBe('session-1');
  });

  it('reconnects after close codes that allow it (1001), but not after 4000', async () => {
    const timersBefore = activeTimers();
    const { server, client } = await setup();
    await client.connect();
    const reconnected = nextEvent(client, 'reconnected');
    const disconnected = nextEvent(client, 'disconnected');
    server.current.close(1001, 'going away');
    expect(await disconnected).toEqual([{ code: 1001, reason: 'going away' }]);
    expect(await reconnected).toEqual([{ resumed: true }]);

    server.handlers.set('hold', () => 'ignore');
    const pending = client.request('hold', {});
    const pendingError = pending.catch((e: unknown) => e);
    await server.waitFrame({ action: 'hold' });
    const reconnecting: number[] = [];
    client.on('reconnecting', (attempt) => reconnecting.push(attempt));
    const takenOver = nextEvent(client, 'disconnected');
    server.current.close(4000, 'taken over');
    expect(await takenOver).toEqual([{ code: 4000, reason: 'taken over' }]);
    expect(await pendingError).toMatchObject({ code: 'not_connected' });
    expect(reconnecting).toEqual([]);
    expect(client.connected).toBe(false);
    // Once the server side has closed too (ws keeps a close timer until then), nothing is left running.
    await server.waitFor(() => (server.closes.some((c) => c.conn === 1) ? true : undefined), 'server close');
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    expect(server.sockets).toHaveLength(2);
  });

  it('treats a seq gap as a protocol error and resumes from the last processed seq', async () => {
    const { server, client } = await setup();
    const seen: number[] = [];
    const fourth = new Promise<void>((resolve) =>
      client.registerCallback('tick', (data) => {
        seen.push(data.n as number);
        if (data.n === 4) resolve();
      }),
    );
    await client.connect();
    server.send('notification', 'tick', { n: 1 });
    server.send('notification', 'tick', { n: 2 });
    server.send('notification', 'tick', { n: 3 }, false); // lost in transit
    const disconnected = nextEvent(client, 'disconnected');
    server.send('notification', 'tick', { n: 4 });
    const [info] = await disconnected;
    expect(info.reason).toMatch(/expected seq 3, got 4/);
    const [hello] = await server.waitFrame({ conn: 1, action: '$hello' });
    expect(hello!.data.last_seq).toBe(2);
    await withDeadline(fourth, 'the replayed messages');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('answers heartbeats at once, and drops a silent link without losing the session', async () => {
    const { server, client } = await setup();
    server.heartbeat = { interval_ms: 40, timeout_ms: 40 };
    await client.connect();
    // The client's deadline runs from the last frame it received (h1, sent after this): never sooner.
    const started = Date.now();
    server.sendRaw({ id: 'h1', type: 'heartbeat' });
    const [echo] = await server.waitFrame({ type: 'heartbeat' });
    expect(echo).toMatchObject({ reply_to: 'h1', session_id: 'session-1', action: '', data: {} });

    // From now on the server says nothing and leaves its socket open: only the client can notice.
    server.heartbeat = { interval_ms: 25_000, timeout_ms: 20_000 };
    const disconnected = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected');
    const [info] = await disconnected;
    expect(info).toMatchObject({ code: 1006 });
    expect(info.reason).toMatch(/heartbeat timeout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(await reconnected).toEqual([{ resumed: true }]);
    expect(client.sessionId).toBe('session-1');
    // Dropped, not closed: a dead peer would never answer a closing handshake.
    expect(server.closes[0]).toEqual({ conn: 0, code: 1006 });
  });

  it('lets the heartbeat.timeoutMs option notice a silent link sooner than the server would', async () => {
    const { server, client } = await setup({ heartbeat: { timeoutMs: 40 } });
    server.heartbeat = { interval_ms: 40, timeout_ms: 60_000 };
    // The deadline runs from the last frame received (the welcome, after this): never sooner.
    const started = Date.now();
    await client.connect();
    server.heartbeat = { interval_ms: 25_000, timeout_ms: 20_000 };
    const disconnected = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected');
    const [info] = await disconnected;
    expect(info.reason).toMatch(/heartbeat timeout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(await reconnected).toEqual([{ resumed: true }]);
  });

  it('emits session_lost when a resume is refused, rejecting sent requests and keeping never-sent messages', async () => {
    const { server, client } = await setup();
    server.autoAck = false;
    server.handlers.set('hold', () => 'ignore');
    await client.connect();
    const held = client.request('hold', {}).catch((e: unknown) => e);
    client.sendMessage({ action: 'sent-before' });
    await server.waitFrame({ action: 'sent-before' });
    client.on('disconnected', () => client.sendMessage({ action: 'queued-offline' }));
    const reconnected = nextEvent(client, 'reconnected');
    const lost = nextEvent(client, 'session_lost');
    // The server forgets the session while the link is down.
    server.session = undefined;
    server.current.terminate();

    expect(await reconnected).toEqual([{ resumed: false }]);
    expect(await lost).toEqual([{ code: 'session_expired', message: 'Session expired' }]);
    expect(await held).toMatchObject({ code: 'session_expired' });
    expect(client.sessionId).toBe('session-2');
    const [queued] = await server.waitFrame({ conn: 1, action: 'queued-offline' });
    expect(queued).toMatchObject({ seq: 1, session_id: 'session-2' });
    expect(server.received({ conn: 1, action: 'sent-before' })).toEqual([]);
    expect(server.received({ conn: 1, action: 'hold' })).toEqual([]);
  });
});

describe('DuplexClient: disconnect', () => {
  it('says goodbye ($bye, unsequenced), rejects what waits, never reconnects and leaves no timers behind', async () => {
    const timersBefore = activeTimers();
    const { server, client } = await setup();
    server.handlers.set('hold', () => 'ignore');
    await client.connect();
    server.send('notification', 'tick', {});
    await server.waitFor(() => (client.connected ? true : undefined), 'connected');
    const held = client.request('hold', {}).catch((e: unknown) => e);
    await server.waitFrame({ action: 'hold' });
    const disconnected = nextEvent(client, 'disconnected');

    await client.disconnect();
    expect(await disconnected).toEqual([{ code: 1000, reason: 'client disconnect' }]);
    expect(await held).toMatchObject({ code: 'not_connected' });
    const [bye] = server.received({ action: '$bye' });
    expect(bye).toMatchObject({ type: 'request', data: {}, session_id: 'session-1' });
    expect(bye!.seq).toBeUndefined();
    expect(server.session).toBeUndefined();
    const [closed] = await server.waitFor(() => (server.closes.length > 0 ? server.closes : undefined), 'server close');
    expect(closed).toEqual({ conn: 0, code: 1000 });
    expect(client.connected).toBe(false);
    expect(client.sessionId).toBeUndefined();
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    expect(server.sockets).toHaveLength(1);
  });

  it('closes with 1000 itself when the goodbye goes unanswered, and sends nothing when not connected', async () => {
    const { server, client } = await setup({ requestTimeoutMs: 60 });
    server.answerBye = false;
    await client.connect();
    await client.disconnect();
    const [closed] = await server.waitFor(() => (server.closes.length > 0 ? server.closes : undefined), 'server close');
    expect(closed).toEqual({ conn: 0, code: 1000 });
    expect(server.received({ action: '$bye' })).toHaveLength(1);

    server.holdWelcome = true;
    const outcome = client.connect();
    await server.waitFrame({ conn: 1, action: '$hello' });
    await client.disconnect();
    expect(await outcome).toBe(false);
    await server.waitFor(() => (server.closes.some((c) => c.conn === 1) ? true : undefined), 'second close');
    expect(server.received({ conn: 1 }).map((e) => e.action)).toEqual(['$hello']);
  });
});
