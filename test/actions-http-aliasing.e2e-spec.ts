import { Body, Controller, Get, Injectable, Post, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplexModule, OnAction, Payload } from '../lib/index.js';
import { tokenAuth } from './fixtures/fixture.module.js';
import { ClientPool } from './support/clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Methods that are an HTTP route and an action at once: each layer gets only its own parameters. */
@Controller('notes')
class NotesController {
  @Post()
  @OnAction('notes.create')
  create(@Body() body: unknown, @Payload() payload: unknown): Record<string, unknown> {
    return { body: body ?? null, payload: payload ?? null };
  }

  @Get('search')
  @OnAction('notes.search')
  search(@Query() query: unknown, @Payload('q') q: unknown): Record<string, unknown> {
    return { query: query ?? null, q: q ?? null };
  }
}

@Injectable()
class QueryOnAction {
  @OnAction('lookup')
  lookup(@Query() _query: unknown): void {}
}

/**
 * Nest's HTTP parameter decorators and ours used to share one metadata key with colliding types:
 * `@Payload()` read the HTTP body on a route, `@Query()` read the whole envelope on an action.
 */
describe('HTTP and duplex parameters on one method (platform-express + DuplexClient)', () => {
  let t: TestApp;
  const pool = new ClientPool();

  beforeAll(async () => {
    t = await startTestApp({ imports: [DuplexModule.forRoot({ authenticate: tokenAuth })], controllers: [NotesController] });
  });
  afterAll(async () => {
    await pool.closeAll();
    await t.app.close();
  });

  it('over HTTP, @Body() gets the request body and @Payload() nothing', async () => {
    const response = await fetch(`${t.httpUrl}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'from http' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ body: { title: 'from http' }, payload: null });
  });

  it("over duplex, @Payload() gets the envelope's data and @Body() nothing", async () => {
    const client = await pool.connect({ serverUrl: t.httpUrl, query: { token: 'bob' } });
    expect(await client.request('notes.create', { title: 'from ws' })).toEqual({ body: null, payload: { title: 'from ws' } });
  });

  it('over HTTP, @Query() gets the query string and @Payload() nothing', async () => {
    const response = await fetch(`${t.httpUrl}/notes/search?q=cats`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ query: { q: 'cats' }, q: null });
  });

  it('over duplex, @Query() gets nothing (not the envelope) and @Payload() the data', async () => {
    const client = await pool.connect({ serverUrl: t.httpUrl, query: { token: 'bob' } });
    expect(await client.request('notes.search', { q: 'dogs' })).toEqual({ query: null, q: 'dogs' });
  });
});

describe('@Query() on an action that is not an HTTP route', () => {
  it('stops the app at start-up with an error naming the method', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DuplexModule.forRoot({})], providers: [QueryOnAction] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await expect(app.listen(0, '127.0.0.1')).rejects.toThrow('QueryOnAction.lookup (@OnAction("lookup")): parameter 0');
    } finally {
      await app.close();
    }
  });
});
