/**
 * The real DuplexClient over SSE and long-polling against the real server, on Express and
 * Fastify: a request and its answer, a server notification, a server request answered by a
 * callback, and the goodbye. In Node 20 SSE reads the stream with fetch (no EventSource).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { ClientPool, deadline, nextValue } from './support/clients.js';
import { PLATFORMS, startHttpApp } from './support/http-app.js';
import type { TestApp } from './support/test-app.js';

const CASES = PLATFORMS.flatMap((platform) => (['sse', 'long-polling'] as const).map((transport) => ({ platform, transport })));

describe.each(CASES)('the client over $transport on $platform', ({ platform, transport }) => {
  let t: TestApp;
  const pool = new ClientPool();

  beforeAll(async () => {
    t = await startHttpApp(platform, fixtureModule({ authenticate: tokenAuth, protocols: ['websocket', 'sse', 'long-polling'] }));
  });

  afterAll(async () => {
    await pool.closeAll();
    await t.app.close();
  });

  it('echoes, gets a server notification, answers a server request, and says goodbye', async () => {
    const client = pool.create({ serverUrl: t.httpUrl, protocolType: transport, query: { token: 'bob' } });
    const ticks: unknown[] = [];
    client.registerCallback('tick', (data) => void ticks.push(data.i));
    client.registerCallback('confirm', (data) => ({ ok: true, seen: data.question }));
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe(transport);

    expect(await deadline(client.request('echo', { text: 'over http' }), 5000, 'the echo')).toEqual({ text: 'over http' });
    expect(await client.request('whoami')).toMatchObject({ principal: { id: 'bob' }, transport });
    await expect(client.request('admin')).rejects.toMatchObject({ code: 'forbidden' });

    const duplex = t.app.get(DuplexService);
    const sessionId = client.sessionId!;
    const tick = nextValue<unknown>((resolve) => client.registerCallback('pinged', (data) => resolve(data.text)), 5000, 'the notification');
    await duplex.send(sessionId, 'tick', { i: 1 });
    expect(await client.request('notify-me', { text: 'psst' })).toEqual({ sent: true });
    expect(await tick).toBe('psst');
    expect(ticks).toEqual([1]);
    expect(await duplex.request(sessionId, 'confirm', { question: 'sure?' }, { timeoutMs: 5000 })).toEqual({ ok: true, seen: 'sure?' });

    // Requests sent in one turn go up in one POST and each runs once.
    const answers = await deadline(Promise.all(Array.from({ length: 20 }, (_, i) => client.request('counted', { key: `${platform}-${transport}-${i}` }))), 5000, 'twenty answers');
    expect(answers.every((a) => a.runs === 1)).toBe(true);
    expect(t.app.get(FixtureHandlers).calls.size).toBeGreaterThanOrEqual(20);

    await client.disconnect();
    expect(client.connected).toBe(false);
    // The goodbye ended the session on the server.
    await expect(duplex.send(sessionId, 'tick', { i: 2 })).rejects.toMatchObject({ code: 'session_expired' });
  });

  it('is refused with the server\'s 401 for a token authenticate does not accept', async () => {
    const client = pool.create({ serverUrl: t.httpUrl, protocolType: transport, query: { token: 'mallory' } });
    const error = nextValue<unknown>((resolve) => client.on('error', resolve), 5000, 'the error');
    expect(await client.connect()).toBe(false);
    expect(await error).toMatchObject({ code: 'unauthenticated', status: 401, details: { failure: 'refused', transport } });
  });
});
