/**
 * Choosing, classifying and retrying transports, and what the client does after each close code,
 * over fake transports plugged in through the factory seam: each fake link plays a scripted
 * behaviour, and a fake server answers hellos (fresh or resumed) and goodbyes. No sleeps: every
 * wait is on an event or promise with a deadline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DuplexError } from '../envelope/duplex.error.js';
import type { Envelope, ProtocolType } from '../envelope/envelope.js';
import { ErrorCode } from '../envelope/error-codes.js';
import type { ClientLink, ClientLinkListener, ClientTransport, ClientTransportFactory, LinkCloseInfo } from './transports/client-transport.js';
import type { TransportFailure } from './transports/transport-failure.js';
import { DuplexClient, type DuplexClientOptions } from './index.js';
import { nextEvent, withDeadline } from '../../test/support/client-events.js';

/** What one fake link does. */
type Behaviour =
  | 'welcome' // opens and welcomes the hello
  | 'unreachable' // fails without ever opening
  | 'hang' // never opens, never fails
  | 'mute' // opens, never answers the hello
  | { http: number; failure: TransportFailure } // an upgrade answered with an HTTP status, classified as a transport would
  | { closeAtHello: number } // opens, closes with this code when the hello arrives
  | { helloError: string }; // answers the hello with this error code, then closes with 1013

// --- the fakes -------------------------------------------------------------------------------

class FakeServer {
  readonly links: FakeLink[] = [];
  session: { id: string; token: string } | undefined;
  /** How the server meets a goodbye: answers and closes (protocol v2), answers with an error (a server that does not know it), or ignores it. */
  bye: 'close' | 'error' | 'ignore' = 'close';
  private helloWaiters: Array<() => void> = [];
  private readonly scripts = new Map<ProtocolType, Behaviour[]>();
  private sessions = 0;

  /** The behaviours of the next links of `transport`, in order; after them, links welcome. */
  script(transport: ProtocolType, ...behaviours: Behaviour[]): void {
    this.scripts.set(transport, behaviours);
  }

  nextBehaviour(transport: ProtocolType): Behaviour {
    return this.scripts.get(transport)?.shift() ?? 'welcome';
  }

  get current(): FakeLink {
    const link = this.links.at(-1);
    if (link === undefined) throw new Error('no link yet');
    return link;
  }

  /** Resolves at the next hello any link receives. */
  nextHello(): Promise<void> {
    return withDeadline(new Promise<void>((resolve) => this.helloWaiters.push(resolve)), 'a hello');
  }

  heardHello(): void {
    for (const resolve of this.helloWaiters.splice(0)) resolve();
  }

  opened(): ProtocolType[] {
    return this.links.map((l) => l.transport);
  }

  welcome(hello: Envelope): Envelope {
    const asked = hello.data.session_id;
    const resumed = typeof asked === 'string' && asked === this.session?.id;
    if (!resumed) this.session = { id: `session-${++this.sessions}`, token: `token-${this.sessions}` };
    const data = {
      session_id: this.session!.id,
      resume_token: this.session!.token,
      resumed,
      last_seq: 0,
      ...(typeof asked === 'string' && !resumed ? { resume_error: { code: 'session_expired', message: 'Session expired' } } : {}),
    };
    return { id: `w-${this.links.length}`, type: 'response', action: '$hello', reply_to: hello.id, data, timestamp: 0, session_id: this.session!.id };
  }
}

class FakeLink implements ClientLink {
  readonly sent: Envelope[] = [];
  closedBy: LinkCloseInfo | undefined;
  private ended = false;

  constructor(
    readonly transport: ProtocolType,
    private readonly listener: ClientLinkListener,
    private readonly behaviour: Behaviour,
    private readonly server: FakeServer,
  ) {
    // A real link reports nothing before open() has returned it.
    queueMicrotask(() => this.begin());
  }

  send(text: string): void {
    const envelope = JSON.parse(text) as Envelope;
    this.sent.push(envelope);
    if (envelope.action === '$hello') {
      this.server.heardHello();
      this.onHello(envelope);
    }
    if (envelope.action === '$bye' && this.server.bye === 'close') {
      this.server.session = undefined;
      this.push({ id: 'bye-answer', type: 'response', action: '$bye', reply_to: envelope.id, data: {}, timestamp: 0, session_id: '' });
      // The close comes later, as it would in its own packet: the client must wait for it.
      setTimeout(() => this.serverClose(1000, 'bye'), 0);
    } else if (envelope.action === '$bye' && this.server.bye === 'error') {
      this.push({ id: 'bye-error', type: 'error', action: '', reply_to: envelope.id, data: { code: 'unknown_action', message: '?' }, timestamp: 0, session_id: '' });
    }
  }

  close(code: number, reason: string): void {
    this.closedBy ??= { code, reason };
    queueMicrotask(() => this.serverClose(code, reason));
  }

  terminate(): void {
    queueMicrotask(() => this.serverClose(1006, 'terminated'));
  }

  push(envelope: Envelope): void {
    if (!this.ended) this.listener.message(JSON.stringify(envelope));
  }

  serverClose(code: number, reason = ''): void {
    if (this.ended) return;
    this.ended = true;
    this.listener.close({ code, reason });
  }

  private begin(): void {
    const b = this.behaviour;
    if (b === 'hang') return;
    if (b === 'unreachable') {
      this.listener.error(new DuplexError(ErrorCode.NOT_CONNECTED, 'connect ECONNREFUSED'));
      this.serverClose(1006);
    } else if (typeof b === 'object' && 'http' in b) {
      this.listener.error(new DuplexError(ErrorCode.NOT_CONNECTED, `HTTP ${b.http}`, undefined, b.http), b.failure);
      this.serverClose(1006);
    } else {
      this.listener.open();
    }
  }

  private onHello(hello: Envelope): void {
    const b = this.behaviour;
    if (b === 'welcome') {
      this.push(this.server.welcome(hello));
    } else if (typeof b === 'object' && 'closeAtHello' in b) {
      this.serverClose(b.closeAtHello, 'closed at hello');
    } else if (typeof b === 'object' && 'helloError' in b) {
      this.push({ id: 'e1', type: 'error', action: '$hello', reply_to: hello.id, data: { code: b.helloError, message: 'no room' }, timestamp: 0, session_id: '' });
      this.serverClose(1013, 'try again later');
    }
  }
}

function fakeFactory(name: ProtocolType, server: FakeServer, failCreate = 0): ClientTransportFactory {
  let failures = failCreate;
  const transport: ClientTransport = {
    name,
    endpoint: `fake://${name}`,
    open: (listener) => {
      const link = new FakeLink(name, listener, server.nextBehaviour(name), server);
      server.links.push(link);
      return link;
    },
  };
  return {
    unavailable: () => undefined,
    create: () => (failures-- > 0 ? Promise.reject(new DuplexError(ErrorCode.NOT_CONNECTED, 'No implementation')) : Promise.resolve(transport)),
  };
}

const ALL: ProtocolType[] = ['websocket', 'sse', 'long-polling', 'grpc'];
const clients: DuplexClient[] = [];

function setup(options: Partial<DuplexClientOptions> = {}, failCreate: Partial<Record<ProtocolType, number>> = {}): { server: FakeServer; client: DuplexClient } {
  const server = new FakeServer();
  const factories = Object.fromEntries(ALL.map((name) => [name, fakeFactory(name, server, failCreate[name])]));
  const client = new DuplexClient({ serverUrl: 'http://fake', random: () => 0, ...options }, factories);
  clients.push(client);
  return { server, client };
}

function recordFailures(client: DuplexClient): Array<[ProtocolType, TransportFailure, string]> {
  const failures: Array<[ProtocolType, TransportFailure, string]> = [];
  client.on('transport_failed', ({ transport, failure, error }) => failures.push([transport, failure, error.code]));
  return failures;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

// --- the specs -------------------------------------------------------------------------------

describe('transport selection', () => {
  it('walks the candidates in order: unreachable and blocked move on, and the one welcomed is client.transport', async () => {
    const { server, client } = setup({ transports: ['sse', 'long-polling', 'websocket'] });
    server.script('sse', 'unreachable');
    server.script('long-polling', { closeAtHello: 1000 });
    const failures = recordFailures(client);
    const changed = nextEvent(client, 'transport_changed');
    expect(client.transport).toBeUndefined();

    expect(await client.connect()).toBe(true);
    expect(server.opened()).toEqual(['sse', 'long-polling', 'websocket']);
    expect(failures).toEqual([
      ['sse', 'unreachable', 'not_connected'],
      ['long-polling', 'blocked', 'not_connected'],
    ]);
    expect(client.transport).toBe('websocket');
    expect(await changed).toEqual([{ transport: 'websocket', previous: undefined }]);
  });

  it('stops at a refusal: no other transport, no retry, and the error says refused', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse'], connect: { retries: 3 } });
    server.script('websocket', { http: 401, failure: 'refused' });
    const retries: number[] = [];
    client.on('reconnecting', (attempt) => retries.push(attempt));
    const error = nextEvent(client, 'error');

    expect(await client.connect()).toBe(false);
    const [refused] = await error;
    expect(refused).toMatchObject({ status: 401, details: { failure: 'refused', transport: 'websocket' } });
    expect(server.opened()).toEqual(['websocket']);
    expect(retries).toEqual([]);
  });

  it('refuses at construction a transport this build lacks when it is the only one, and skips it among others', () => {
    expect(() => new DuplexClient({ serverUrl: 'ws://h', protocolType: 'sse' })).toThrow(/"sse": a ws\(s\):\/\/ serverUrl serves only WebSocket/);
    expect(() => new DuplexClient({ serverUrl: 'ws://h', transports: ['sse', 'long-polling'] })).toThrow(/None of the transports/);
    const server = new FakeServer();
    const client = new DuplexClient({ serverUrl: 'ws://h', transports: ['sse', 'websocket'] }, { websocket: fakeFactory('websocket', server) });
    clients.push(client);
    return client.connect().then((ok) => {
      expect(ok).toBe(true);
      expect(server.opened()).toEqual(['websocket']);
    });
  });

  it('counts a transport that cannot be made now (no implementation found) as unreachable, and moves on', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse'] }, { websocket: 1 });
    const failures = recordFailures(client);
    expect(await client.connect()).toBe(true);
    expect(failures).toEqual([['websocket', 'unreachable', 'not_connected']]);
    expect(server.opened()).toEqual(['sse']);
  });

  it('classifies by how far the link got when the transport cannot say', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse', 'long-polling', 'grpc'], requestTimeoutMs: 40 });
    server.script('websocket', 'hang');
    server.script('sse', 'mute');
    server.script('long-polling', { http: 503, failure: 'unreachable' });
    server.script('grpc', { closeAtHello: 1011 });
    const failures = recordFailures(client);
    expect(await client.connect()).toBe(false);
    expect(failures.map(([t, f]) => [t, f])).toEqual([
      ['websocket', 'unreachable'], // never opened before the deadline
      ['sse', 'blocked'], // opened, but no welcome before the deadline
      ['long-polling', 'unreachable'], // the transport's own verdict
      ['grpc', 'blocked'], // closed before the welcome
    ]);
  });

  it('reconnects first over the transport that worked, and reports a change of transport', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse'] });
    server.script('websocket', { http: 404, failure: 'blocked' });
    const changes: unknown[] = [];
    client.on('transport_changed', (info) => changes.push(info));
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe('sse');

    server.script('sse', 'unreachable');
    const reconnected = nextEvent(client, 'reconnected');
    server.current.serverClose(1001, 'going away');
    expect(await reconnected).toEqual([{ resumed: true }]);
    expect(server.opened()).toEqual(['websocket', 'sse', 'sse', 'websocket']);
    expect(client.transport).toBe('websocket');
    expect(changes).toEqual([
      { transport: 'sse', previous: undefined },
      { transport: 'websocket', previous: 'sse' },
    ]);
  });
});

describe('auto', () => {
  /** A fetch answering only the negotiate endpoint, with `served` (or failing when undefined). */
  function negotiating(served: string[] | undefined, asked: string[]): DuplexClientOptions['http'] {
    return {
      fetch: (url) => {
        asked.push(url);
        if (served === undefined) return Promise.reject(new TypeError('fetch failed'));
        const body = JSON.stringify({ protocol_version: 2, transports: served.map((transport) => ({ transport, path: '/x' })) });
        return Promise.resolve(new Response(body, { status: 200 }));
      },
    };
  }

  it('asks negotiate at every attempt and tries only what the server serves, in the order WebSocket, SSE, long-polling', async () => {
    const asked: string[] = [];
    const { server, client } = setup({ protocolType: 'auto', query: { token: 't' }, http: negotiating(['long-polling', 'sse', 'grpc'], asked) });
    server.script('sse', 'unreachable');
    expect(await client.connect()).toBe(true);
    expect(server.opened()).toEqual(['sse', 'long-polling']);
    expect(asked).toEqual(['http://fake/duplex/negotiate?token=t']);
    const reconnected = nextEvent(client, 'reconnected');
    server.current.serverClose(1001);
    await reconnected;
    expect(asked).toHaveLength(2);
    expect(server.opened()).toEqual(['sse', 'long-polling', 'long-polling']);
  });

  it('tries every candidate when negotiate cannot be had', async () => {
    const asked: string[] = [];
    const { server, client } = setup({ protocolType: 'auto', http: negotiating(undefined, asked) });
    server.script('websocket', 'unreachable');
    expect(await client.connect()).toBe(true);
    expect(server.opened()).toEqual(['websocket', 'sse']);
    expect(asked).toHaveLength(1);
  });

  it('gives a hanging transport transportTimeoutMs before the next candidate, and the last one requestTimeoutMs', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse'], transportTimeoutMs: 30, requestTimeoutMs: 400 });
    server.script('websocket', 'hang');
    server.script('sse', 'mute');
    const started = Date.now();
    const failed: Array<[ProtocolType, TransportFailure, number]> = [];
    client.on('transport_failed', ({ transport, failure }) => failed.push([transport, failure, Date.now() - started]));
    expect(await client.connect()).toBe(false);
    expect(failed.map(([t, f]) => [t, f])).toEqual([
      ['websocket', 'unreachable'],
      ['sse', 'blocked'],
    ]);
    // Timers never fire early: the first was cut short, the last had its whole requestTimeoutMs.
    expect(failed[0]![2]).toBeLessThan(400);
    expect(failed[1]![2] - failed[0]![2]).toBeGreaterThanOrEqual(395);
  });
});

describe('connect retries', () => {
  it('retries a failed first attempt per connect.retries with the reconnect backoff, then reports the last failure', async () => {
    const { server, client } = setup({ connect: { retries: 3 }, reconnect: { baseMs: 8, maxMs: 100 }, random: () => 0.5 });
    server.script('websocket', 'unreachable', { closeAtHello: 1000 }, 'unreachable', 'unreachable');
    const retries: Array<[number, number]> = [];
    client.on('reconnecting', (attempt, delayMs) => retries.push([attempt, delayMs]));
    const error = nextEvent(client, 'error');
    expect(await client.connect()).toBe(false);
    expect(retries).toEqual([
      [1, 4],
      [2, 8],
      [3, 16],
    ]);
    expect(server.links).toHaveLength(4);
    expect((await error)[0]).toMatchObject({ code: 'not_connected', details: { failure: 'unreachable', transport: 'websocket' } });
  });

  it('succeeds on a retry, as a connect (not a reconnect)', async () => {
    const { server, client } = setup({ connect: { retries: 3 } });
    server.script('websocket', 'unreachable', { http: 426, failure: 'blocked' });
    const connected = nextEvent(client, 'connected');
    expect(await client.connect()).toBe(true);
    expect(await connected).toEqual([{ sessionId: 'session-1', resumed: false }]);
    expect(server.links).toHaveLength(3);
  });

  it('retries a full server (session_limit, 1013) on the same transport, and reports it refused once retries are used up', async () => {
    const { server, client } = setup({ transports: ['websocket', 'sse'], connect: { retries: 2 } });
    server.script('websocket', { helloError: 'session_limit' }, { closeAtHello: 1013 });
    const failures = recordFailures(client);
    expect(await client.connect()).toBe(true);
    expect(failures).toEqual([
      ['websocket', 'refused', 'session_limit'],
      ['websocket', 'refused', 'session_limit'],
    ]);
    expect(server.opened()).toEqual(['websocket', 'websocket', 'websocket']);

    const full = setup({ connect: { retries: 1 } });
    full.server.script('websocket', { closeAtHello: 1013 }, { helloError: 'session_limit' });
    const error = nextEvent(full.client, 'error');
    expect(await full.client.connect()).toBe(false);
    expect((await error)[0]).toMatchObject({ code: 'session_limit', details: { failure: 'refused' } });
    expect(full.server.links).toHaveLength(2);
  });

  it('tries once by default', async () => {
    const { server, client } = setup();
    server.script('websocket', 'unreachable');
    expect(await client.connect()).toBe(false);
    expect(server.links).toHaveLength(1);
  });
});

describe('close codes of a welcomed connection', () => {
  it.each([1001, 1005, 1006, 1008, 1009, 1011, 1013, 4001, 4002])('resumes after %i', async (code) => {
    const { server, client } = setup();
    await client.connect();
    const reconnected = nextEvent(client, 'reconnected');
    server.current.serverClose(code);
    expect(await reconnected).toEqual([{ resumed: true }]);
    expect(server.current.sent[0]!.data).toMatchObject({ session_id: 'session-1', resume_token: 'token-1' });
  });

  it.each([1000, 4000])('stops after %i: no reconnect, the session is over', async (code) => {
    const { server, client } = setup({ requestTimeoutMs: 1000 });
    await client.connect();
    const pending = client.request('hold', {}).catch((e: unknown) => e);
    const disconnected = nextEvent(client, 'disconnected');
    server.current.serverClose(code, 'over');
    expect(await disconnected).toEqual([{ code, reason: 'over' }]);
    expect(await pending).toMatchObject({ code: 'not_connected' });
    expect(client.sessionId).toBeUndefined();
    expect(client.connected).toBe(false);
    expect(server.links).toHaveLength(1);
  });

  it('after 4003 reconnects once for a fresh session: session_lost, and the requests sent are rejected', async () => {
    const { server, client } = setup({ requestTimeoutMs: 1000 });
    await client.connect();
    const sent = client.request('hold', {}).catch((e: unknown) => e);
    const reconnected = nextEvent(client, 'reconnected');
    const lost = nextEvent(client, 'session_lost');
    server.current.serverClose(4003, 'session ended');
    expect(await reconnected).toEqual([{ resumed: false }]);
    expect(await lost).toEqual([{ code: 'session_expired', message: 'The server ended the session (4003 session ended)' }]);
    expect(await sent).toMatchObject({ code: 'session_expired' });
    // A fresh hello: there was nothing left to resume.
    expect(server.current.sent[0]!.data).toEqual({});
    expect(client.sessionId).toBe('session-2');
  });
});

describe('disconnect over any transport', () => {
  it('says goodbye over the transport in use and lets the server close; nothing is sent when not connected', async () => {
    const { server, client } = setup({ transports: ['sse'] });
    await client.connect();
    await client.disconnect();
    const link = server.current;
    expect(link.sent.map((e) => [e.type, e.action, e.seq])).toEqual([
      ['request', '$hello', undefined],
      ['request', '$bye', undefined],
    ]);
    expect(link.sent[1]).toMatchObject({ data: {}, session_id: 'session-1' });
    // The server answered and closed first: nothing left for the client to close.
    expect(link.closedBy).toBeUndefined();
    expect(server.session).toBeUndefined();
    expect(client.transport).toBeUndefined();

    server.script('sse', 'mute');
    const hello = server.nextHello();
    const outcome = client.connect();
    await hello;
    await client.disconnect();
    expect(await outcome).toBe(false);
    expect(server.current.sent.map((e) => e.action)).toEqual(['$hello']);
  });

  it('closes with 1000 itself when the goodbye is not answered within requestTimeoutMs', async () => {
    const { server, client } = setup({ requestTimeoutMs: 50 });
    server.bye = 'ignore';
    await client.connect();
    const started = Date.now();
    await client.disconnect();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(server.current.closedBy).toEqual({ code: 1000, reason: 'client disconnect' });
    expect(server.current.sent.map((e) => e.action)).toEqual(['$hello', '$bye']);
  });

  it('closes with 1000 at once when the goodbye is answered with an error (a server that does not know it)', async () => {
    const { server, client } = setup({ requestTimeoutMs: 60_000 });
    server.bye = 'error';
    await client.connect();
    // Well within the 2 s the client would otherwise wait for the server to close.
    await withDeadline(client.disconnect(), 'disconnect', 1000);
    expect(server.current.closedBy).toEqual({ code: 1000, reason: 'client disconnect' });
  });
});
