/**
 * The real DuplexClient over long-polling against an in-memory server reached through `http.fetch`
 * (test/support/fake-http-server.ts): the welcome waits for the first poll, the poll's cursor is
 * the client's ack, what the client sends goes up in ordered batches, idle links send heartbeats,
 * and statuses end the link the way close codes would. No sleeps: waits are on events with deadlines.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextEvent, withDeadline } from '../../../test/support/client-events.js';
import { fakeHttpClients } from '../../../test/support/fake-http-server.js';

const { setup, track, closeAll } = fakeHttpClients('long-polling');

afterEach(closeAll);

describe('long-polling client transport', () => {
  it('opens with POST /session, hands over the welcome once a first poll (not held) answered, then holds polls', async () => {
    const { server, client } = setup({ query: { token: 'bob' } });
    const changed = nextEvent(client, 'transport_changed');
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe('long-polling');
    expect(await changed).toEqual([{ transport: 'long-polling', previous: undefined }]);
    const [open] = server.of('POST /duplex/session');
    expect(open).toMatchObject({ body: { type: 'request', action: '$hello', data: {} } });
    expect(Object.fromEntries(open!.query)).toEqual({ token: 'bob', transport: 'long-polling' });
    const [first] = server.of('GET /duplex/poll');
    expect(Object.fromEntries(first!.query)).toEqual({ cursor: '0', wait_ms: '0' });
    expect(first!.headers).toMatchObject({ 'x-duplex-session': 'session-1', 'x-duplex-token': 'token-1' });
    await server.until(() => server.held === 1, 'a held poll');
    // The auth query stays on the session's opening; later requests carry the session's token.
    expect(Object.fromEntries(server.of('GET /duplex/poll')[1]!.query)).toEqual({ cursor: '0' });
  });

  it('acks with the poll cursor (no bare ack goes up) and the server forgets what was acked', async () => {
    const { server, client } = setup();
    // An ack is due at once after each message: none may go up all the same.
    server.ack = { interval_ms: 5, max_messages: 1 };
    await client.connect();
    const got: unknown[] = [];
    client.registerCallback('tick', (data) => void got.push(data.i));
    for (let i = 1; i <= 3; i++) server.push('notification', 'tick', { i });
    await server.until(() => got.length === 3 && server.held === 1, 'three ticks and the next held poll');
    expect(server.of('GET /duplex/poll').at(-1)!.query.get('cursor')).toBe('3');
    expect(server.session.outbox).toEqual([]);
    // POSTs go in order: an ack sent before the echo would have reached the server first.
    await withDeadline(client.request('echo', {}), 'an echo');
    expect(server.posted().filter((e) => e.type === 'ack')).toEqual([]);
  });

  it('sends what is queued in one turn as one batch, and waits for a POST to finish before the next', async () => {
    const { server, client } = setup();
    await client.connect();
    for (let i = 0; i < 3; i++) client.sendMessage({ action: 'note', data: { i } });
    await server.until(() => server.received.length === 3, 'three notes');
    expect(server.of('POST /duplex/messages').map((r) => (Array.isArray(r.body) ? r.body.length : 1))).toEqual([3]);
    expect(server.received.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('splits what is queued into POSTs of at most max_payload bytes, counted exactly in UTF-8', async () => {
    // One clock for every envelope, so that all five have the same size (their timestamps too).
    vi.useFakeTimers({ toFake: ['Date'], now: 1_764_000_000_000 });
    try {
      const text = 'ü€'.repeat(20) + 'x'.repeat(50); // an ü counts 2 bytes, a € 3
      const sizes = async (maxPayload: number): Promise<number[]> => {
        const { server, client } = setup();
        server.maxPayload = maxPayload;
        await client.connect();
        for (let i = 0; i < 5; i++) client.sendMessage({ action: 'note', data: { i, text } });
        await server.until(() => server.received.length === 5, 'five notes');
        expect(server.received.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4]);
        return server.of('POST /duplex/messages').map((r) => new TextEncoder().encode(r.raw).length);
      };
      const [all] = await sizes(1_000_000);
      const one = (all! - 2 - 4) / 5;
      const two = 2 + one + 1 + one;
      expect(one).toBeGreaterThan(300);
      expect(await sizes(two)).toEqual([two, two, one]);
      expect(await sizes(two - 1)).toEqual([one, one, one, one, one]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a heartbeat after an interval with nothing heard, and stays connected on its echoes', async () => {
    const { server, client } = setup();
    // The client's watch gives up after 120 ms of silence; a heartbeat goes after 20 ms of it.
    server.heartbeat = { interval_ms: 20, timeout_ms: 100 };
    const disconnected: unknown[] = [];
    client.on('disconnected', (info) => disconnected.push(info));
    await client.connect();
    // Several times that watch's deadline, with nothing but held polls and heartbeats.
    await server.until(() => server.posted().filter((e) => e.type === 'heartbeat').length >= 30, 'thirty heartbeats');
    expect(disconnected).toEqual([]);
    expect(server.posted().filter((e) => e.type === 'heartbeat').every((e) => e.session_id === 'session-1' && e.seq === undefined)).toBe(true);
  });

  it('ends the link on 410 and starts a fresh session (session_lost)', async () => {
    const { server, client } = setup();
    await client.connect();
    await server.until(() => server.held === 1, 'a held poll');
    const lost = nextEvent(client, 'session_lost');
    const reconnected = nextEvent(client, 'reconnected');
    server.session.ended = true;
    server.push('notification', 'wake', {});
    expect(await lost).toEqual([{ code: 'session_expired', message: expect.stringContaining('4003') as string }]);
    expect(await reconnected).toEqual([{ resumed: false }]);
    expect(client.sessionId).toBe('session-2');
    // The fresh session's polls start from 0, not from the old session's position.
    expect(server.of('GET /duplex/poll').find((r) => r.headers['x-duplex-session'] === 'session-2')!.query.get('cursor')).toBe('0');
  });

  it('resumes after a held poll failed and gets what came meanwhile: nothing lost, nothing twice', async () => {
    const { server, client } = setup({ reconnect: { baseMs: 1, maxMs: 5 } });
    const got: number[] = [];
    client.registerCallback('tick', (data) => void got.push(data.i as number));
    await client.connect();
    server.push('notification', 'tick', { i: 1 });
    await server.until(() => got.length === 1 && server.held === 1, 'the first tick');
    const disconnected = nextEvent(client, 'disconnected');
    server.breakHeldPolls();
    expect(await disconnected).toEqual([{ code: 1006, reason: 'GET /poll failed' }]);
    const reconnected = nextEvent(client, 'reconnected');
    server.push('notification', 'tick', { i: 2 });
    server.push('notification', 'tick', { i: 3 });
    expect(await reconnected).toEqual([{ resumed: true }]);
    await server.until(() => got.length === 3, 'the missed ticks');
    expect(got).toEqual([1, 2, 3]);
    expect(server.of('POST /duplex/session').at(-1)!.body).toMatchObject({ data: { session_id: 'session-1', last_seq: 1 } });
  });

  it('polls a session that replaced an expired one from 0, not from the old position', async () => {
    const { server, client } = setup({ reconnect: { baseMs: 1, maxMs: 5 } });
    const got: number[] = [];
    client.registerCallback('tick', (data) => void got.push(data.i as number));
    await client.connect();
    server.push('notification', 'tick', { i: 1 });
    server.push('notification', 'tick', { i: 2 });
    await server.until(() => got.length === 2 && server.held === 1, 'two ticks');
    const lost = nextEvent(client, 'session_lost');
    // The new session has messages before the client's first poll: its seqs 1 and 2.
    server.onCreate = (session) => {
      server.push('notification', 'tick', { i: 3 }, undefined, session);
      server.push('notification', 'tick', { i: 4 }, undefined, session);
    };
    server.session.ended = true;
    server.breakHeldPolls();
    expect((await lost)[0]).toMatchObject({ code: 'session_expired' });
    // The hello asked to resume from 2; the welcome opened session-2, whose seqs start at 1.
    expect(server.of('POST /duplex/session').at(-1)!.body).toMatchObject({ data: { session_id: 'session-1', last_seq: 2 } });
    await server.until(() => got.length === 4, 'the new session\'s first ticks');
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('classifies a failed opening: 401 refused, 503 session_limit refused but retried, a blocked poll moves on', async () => {
    const refused = setup();
    refused.server.script('POST /session', { status: 401 });
    const error = nextEvent(refused.client, 'error');
    expect(await refused.client.connect()).toBe(false);
    expect((await error)[0]).toMatchObject({ code: 'x', status: 401, details: { failure: 'refused', transport: 'long-polling' } });

    const full = setup({ connect: { retries: 1 }, reconnect: { baseMs: 1, maxMs: 2 } });
    full.server.script('POST /session', { status: 503, body: { type: 'error', data: { code: 'session_limit', message: 'full' } } });
    const failed = nextEvent(full.client, 'transport_failed');
    expect(await full.client.connect()).toBe(true);
    expect((await failed)[0]).toMatchObject({ transport: 'long-polling', failure: 'refused', error: { code: 'session_limit' } });

    const blocked = setup({ transports: ['long-polling', 'sse'] });
    blocked.server.script('GET /poll', { status: 404 });
    const moved = nextEvent(blocked.client, 'transport_failed');
    expect(await blocked.client.connect()).toBe(true);
    expect((await moved)[0]).toMatchObject({ transport: 'long-polling', failure: 'blocked', error: { status: 404 } });
    expect(blocked.client.transport).toBe('sse');
  });

  it('says goodbye by POST and leaves no request in flight', async () => {
    const { server, client } = setup();
    await client.connect();
    await server.until(() => server.held === 1, 'a held poll');
    const disconnected = nextEvent(client, 'disconnected');
    await withDeadline(client.disconnect(), 'disconnect', 1000);
    expect(await disconnected).toEqual([{ code: 1000, reason: 'client disconnect' }]);
    expect(server.posted().map((e) => e.action)).toEqual(['$bye']);
    expect(server.session.ended).toBe(true);
    await server.until(() => server.held === 0, 'the held poll aborted');
  });
});
