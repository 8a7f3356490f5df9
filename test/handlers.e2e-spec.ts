import { ValidationPipe } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuplexBroker, DuplexService } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { ClientPool, nextValue } from './support/clients.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';
import { closeBroker, TRANSPORT_BROKER_CASES } from './support/suite-cases.js';

/** @OnAction handlers through the Nest pipeline, driven by the real DuplexClient over every transport. */
describe.each(TRANSPORT_BROKER_CASES)('handlers over $name with DuplexClient', ({ transport, makeBroker }) => {
  let t: TestApp;
  let broker: DuplexBroker;
  const pool = new ClientPool();
  const as = (token: string) => pool.connect(transport.client(transport.port(t), token));

  beforeAll(async () => {
    broker = makeBroker();
    t = await startTestApp(fixtureModule({ ...transport.server, broker, authenticate: tokenAuth }), (app) => app.useGlobalPipes(new ValidationPipe()));
  });
  afterAll(async () => {
    await pool.closeAll();
    await t.app.close();
    await closeBroker(broker);
  });

  it('echoes through @OnAction', async () => {
    const client = await as('bob');
    expect(await client.request('echo', { text: 'hi', n: [1, 2] })).toEqual({ text: 'hi', n: [1, 2] });
  });

  it('echoes through a handler registered at run time with registerCallback', async () => {
    t.app.get(DuplexService).registerCallback('reverse', (data) => ({ text: String(data.text).split('').reverse().join('') }));
    const client = await as('bob');
    expect(await client.request('reverse', { text: 'abc' })).toEqual({ text: 'cba' });
  });

  it('answers with the result of a Promise and of an Observable', async () => {
    const client = await as('bob');
    expect(await client.request('later', { n: 21 })).toEqual({ doubled: 42 });
    expect(await client.request('stream', { n: 7 })).toEqual({ n: 7 });
  });

  it('lets the server request() a client and get its handler\'s answer', async () => {
    const client = await as('bob');
    client.registerCallback('confirm', (data) => ({ ok: true, seen: data.question }));
    const answer = await t.app.get(DuplexService).request(client.sessionId!, 'confirm', { question: 'sure?' }, { timeoutMs: 5000 });
    expect(answer).toEqual({ ok: true, seen: 'sure?' });
  });

  it('rejects a server request() with the client\'s error code, and times out when unanswered', async () => {
    const client = await as('bob');
    const duplex = t.app.get(DuplexService);
    await expect(duplex.request(client.sessionId!, 'nobody-handles-this', {}, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'unknown_action' });
    client.registerCallback('slow', () => new Promise(() => undefined));
    await expect(duplex.request(client.sessionId!, 'slow', {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('a guard denial is a forbidden error and the connection stays open', async () => {
    const bob = await as('bob');
    await expect(bob.request('admin', {})).rejects.toMatchObject({ code: 'forbidden' });
    expect(bob.connected).toBe(true);
    expect(await bob.request('echo', { still: 'here' })).toEqual({ still: 'here' });
    const alice = await as('alice');
    expect(await alice.request('admin', {})).toEqual({ secret: 'for admins' });
  });

  it('the principal from authenticate reaches the handler', async () => {
    const alice = await as('alice');
    expect(await alice.request('whoami', {})).toEqual({
      principal: { id: 'alice', role: 'admin' },
      sessionId: alice.sessionId,
      transport: transport.protocolType,
    });
  });

  it('ValidationPipe rejects a bad DTO with validation_failed and the field names, and transforms a good one', async () => {
    const client = await as('bob');
    const error = await client.request('sum', { a: -1, b: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation_failed' });
    expect((error as { details?: Record<string, unknown> }).details?.fields).toEqual(expect.arrayContaining(['a', 'b']));
    expect(await client.request('sum', { a: 2, b: 3 })).toEqual({ sum: 5, isDto: true });
  });

  it('a global pipe applies to @OnAction handlers', async () => {
    const client = await as('bob');
    await expect(client.request('shout', { text: 42 })).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await client.request('shout', { text: 'hey' })).toEqual({ text: 'HEY' });
  });

  it('an interceptor wraps a result, and an exception filter maps a custom error', async () => {
    const client = await as('bob');
    expect(await client.request('wrapped', {})).toEqual({ wrapped: 'inner' });
    await expect(client.request('teapot', {})).rejects.toMatchObject({ code: 'teapot', message: 'short and stout: tip me over' });
  });

  it('an internal error answers internal without leaking its message', async () => {
    const client = await as('bob');
    const error = (await client.request('crash', {}).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('internal');
    expect(error.message).not.toContain('secret');
  });

  it('refuses a message over the server\'s max_payload at the call, before it can block the session', async () => {
    const client = await as('bob');
    expect(() => client.sendMessage({ action: 'echo', data: { pad: 'x'.repeat(1_100_000) } })).toThrow(expect.objectContaining({ code: 'too_large' }));
    await expect(client.request('echo', { pad: 'x'.repeat(1_100_000) })).rejects.toMatchObject({ code: 'too_large' });
    expect(await client.request('echo', { small: true })).toEqual({ small: true });
  });

  it('disconnect() ends the session on the server; a dropped link would not', async () => {
    const client = await as('bob');
    const id = client.sessionId!;
    const duplex = t.app.get(DuplexService);
    expect((await duplex.getSessions()).some((s) => s.sessionId === id)).toBe(true);
    await client.disconnect();
    await until(async () => !(await duplex.getSessions()).some((s) => s.sessionId === id), 2000, 'the session to end');
  });

  it('an unknown action is an unknown_action error', async () => {
    const client = await as('bob');
    await expect(client.request('no-such-thing', {})).rejects.toMatchObject({ code: 'unknown_action' });
  });

  it('broadcast reaches 3 clients once each; except and sessionIds target', async () => {
    const clients = await Promise.all(['alice', 'bob', 'bob'].map(as));
    const got = clients.map(() => [] as string[]);
    clients.forEach((c, i) => c.registerCallback('news', (data) => void got[i].push(String(data.n))));
    const duplex = t.app.get(DuplexService);
    const ids = clients.map((c) => c.sessionId!);
    const all = ids;
    await duplex.broadcast('news', { n: 'all' }, { sessionIds: all });
    await duplex.broadcast('news', { n: 'not-0' }, { sessionIds: all, except: [ids[0]] });
    await duplex.broadcast('news', { n: 'only-2' }, { sessionIds: [ids[2]] });
    // a marker sent last to each client tells us everything before it has arrived (seq order)
    await Promise.all(
      clients.map((c, i) => {
        const done = nextValue<void>((resolve) => c.registerCallback('marker', () => resolve()), 5000, `marker ${i}`);
        void duplex.send(ids[i], 'marker', {});
        return done;
      }),
    );
    expect(got).toEqual([['all'], ['all', 'not-0'], ['all', 'not-0', 'only-2']]);
  });

  it('a chat handler broadcasts to everyone, the sender included', async () => {
    const [a, b] = await Promise.all([as('alice'), as('bob')]);
    const heardByB = nextValue<Record<string, unknown>>((resolve) => b.registerCallback('chat', (data) => resolve(data)));
    const heardByA = nextValue<Record<string, unknown>>((resolve) => a.registerCallback('chat', (data) => resolve(data)));
    const result = await a.request('chat', { text: 'hello room' });
    expect(result.delivered).toBeGreaterThanOrEqual(2);
    expect(await heardByB).toEqual({ text: 'hello room', from: a.sessionId });
    expect(await heardByA).toEqual({ text: 'hello room', from: a.sessionId });
    expect(t.app.get(FixtureHandlers)).toBeDefined();
  });
});
