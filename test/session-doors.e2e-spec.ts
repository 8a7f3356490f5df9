/**
 * The session layer's doors for pull transports (long-poll, SSE), exercised across two nodes that
 * share a broker, the way the HTTP controllers will use them: pull after the client's ack, and
 * envelopes delivered with the session's token on any node.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DuplexBroker, DuplexService, type Envelope, MemoryBroker, SessionService } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { BROKERS } from './support/brokers.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const handshake = { transport: 'long-polling' as const, headers: {}, query: {}, remoteAddress: '127.0.0.1' };

function envelope(id: string, type: string, action: string, data: Record<string, unknown> = {}, extra: Partial<Envelope> = {}): Envelope {
  return { id, type, action, data, timestamp: Date.now() / 1000, session_id: '', ...extra } as Envelope;
}

describe.each(BROKERS)('session doors on two nodes sharing one %s broker', (_name, makeBroker) => {
  let broker: DuplexBroker;
  let a: TestApp;
  let b: TestApp;
  let session: { id: string; token: string };

  beforeEach(async () => {
    broker = makeBroker();
    a = await startTestApp(fixtureModule({ broker }));
    b = await startTestApp(fixtureModule({ broker }));
    // A session opened over WebSocket on A whose link then went away: it is served by pulls now.
    const { peer, welcome } = await RawPeer.hello(a.wsUrl);
    const data = welcome.data as { session_id: string; resume_token: string };
    session = { id: data.session_id, token: data.resume_token };
    await peer.close();
  });

  afterEach(async () => {
    await a.app.close();
    await b.app.close();
    await broker.close?.();
  });

  const doors = (app: TestApp) => app.app.get(SessionService);
  const duplexOf = (app: TestApp) => app.app.get(DuplexService);
  const seqs = (messages: Array<{ seq: number }>) => messages.map((m) => m.seq);

  it('pull: a batch after cursor N; a lost batch is read again from the same cursor, on the other node', async () => {
    for (let i = 1; i <= 5; i++) await duplexOf(a).send(session.id, 'n', { i });
    const first = await doors(a).pull({ ...session, sessionId: session.id, cursor: 0, waitMs: 0, limit: 3 });
    expect(first.ok && seqs(first.messages)).toEqual([1, 2, 3]);
    // The answer to that pull was lost on the way: the client asks again from the same cursor, elsewhere.
    const again = await doors(b).pull({ sessionId: session.id, token: session.token, cursor: 0, waitMs: 0, limit: 3 });
    expect(again.ok && seqs(again.messages)).toEqual([1, 2, 3]);
    expect(again.ok && again.messages.map((m) => JSON.parse(`{${m.message.jsonTail()}`).data.i)).toEqual([1, 2, 3]);
    // The cursor is the client's ack: what it acknowledged is trimmed, the rest follows.
    const next = await doors(b).pull({ sessionId: session.id, token: session.token, cursor: 3, waitMs: 0 });
    expect(next.ok && seqs(next.messages)).toEqual([4, 5]);
    const after = await doors(a).pull({ sessionId: session.id, token: session.token, cursor: 1, waitMs: 0 });
    expect(after.ok && seqs(after.messages)).toEqual([4, 5]);
    // A stream reads past what it wrote (after) while trimming only what was acknowledged (cursor).
    const stream = await doors(a).pull({ sessionId: session.id, token: session.token, cursor: 3, after: 4, waitMs: 0 });
    expect(stream.ok && seqs(stream.messages)).toEqual([5]);
    // A cursor above anything given out is clamped: what comes later is not trimmed unseen.
    const ahead = await doors(b).pull({ sessionId: session.id, token: session.token, cursor: 99, waitMs: 0 });
    expect(ahead).toEqual({ ok: true, messages: [], cursor: 5 });
    await duplexOf(a).send(session.id, 'n', { i: 6 });
    const later = await doors(b).pull({ sessionId: session.id, token: session.token, cursor: ahead.ok ? ahead.cursor : -1, waitMs: 0 });
    expect(later.ok && seqs(later.messages)).toEqual([6]);
    const bad = await doors(a).pull({ sessionId: session.id, token: session.token, cursor: 3, after: 2, waitMs: 0 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('pull: a waiter on B is woken by a message appended on A; an empty wait is bounded', async () => {
    // Appended only once B's pull has read an empty outbox: only a wake-up from A can end its wait.
    const read = broker.outbox.read;
    let readEmpty!: () => void;
    const emptyRead = new Promise<void>((resolve) => (readEmpty = resolve));
    broker.outbox.read = async (...args) => {
      const result = await read(...args);
      if (result.ok && result.entries.length === 0) readEmpty();
      return result;
    };
    const waiting = doors(b).pull({ sessionId: session.id, token: session.token, cursor: 0, waitMs: 20_000 });
    await emptyRead;
    broker.outbox.read = read;
    await duplexOf(a).send(session.id, 'wake', { from: 'a' });
    const result = await waiting;
    expect(result.ok && seqs(result.messages)).toEqual([1]);
    const started = Date.now();
    const empty = await doors(a).pull({ sessionId: session.id, token: session.token, cursor: 1, waitMs: 50 });
    expect(empty).toEqual({ ok: true, messages: [], cursor: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const controller = new AbortController();
    const aborted = doors(a).pull({ sessionId: session.id, token: session.token, cursor: 1, waitMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toEqual({ ok: true, messages: [], cursor: 1 });
  });

  it('pull: a wrong token or an ended session is refused', async () => {
    const wrong = await doors(a).pull({ sessionId: session.id, token: 'x'.repeat(43), cursor: 0, waitMs: 0 });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'session_expired' } });
    const waiting = doors(b).pull({ sessionId: session.id, token: session.token, cursor: 0, waitMs: 20_000 });
    const bye = await doors(a).deliver({ sessionId: session.id, token: session.token, envelopes: [envelope('bye', 'request', '$bye')], handshake });
    expect(bye.ok && bye.replies[0]).toMatchObject({ type: 'response', action: '$bye', reply_to: 'bye' });
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'session_expired' } });
  });

  it('link-less inbound: a batch on either node runs each envelope once and hands back its replies', async () => {
    const batch = [
      envelope('q1', 'request', 'counted', { key: 'door' }, { seq: 1 }),
      envelope('q2', 'request', 'echo', { hi: 1 }, { seq: 2 }),
      envelope('h1', 'heartbeat', ''),
      envelope('q3', 'request', 'no-such-action', {}, { seq: 4 }),
    ];
    const first = await doors(a).deliver({ sessionId: session.id, token: session.token, envelopes: batch, handshake });
    if (!first.ok) throw first.error;
    expect(first.answers.map((m) => [m.seq, JSON.parse(`{${m.message.jsonTail()}`).reply_to])).toEqual([
      [1, 'q1'],
      [2, 'q2'],
    ]);
    // the heartbeat echoed, the seq gap refused, the client seq acknowledged
    expect(first.replies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'heartbeat', reply_to: 'h1' }),
        expect.objectContaining({ type: 'error', reply_to: 'q3', data: expect.objectContaining({ code: 'bad_envelope' }) }),
        expect.objectContaining({ type: 'ack', data: { seq: 2 } }),
      ]),
    );
    // The same batch again, on the other node (the POST's answer was lost): nothing runs twice.
    const retry = await doors(b).deliver({ sessionId: session.id, token: session.token, envelopes: batch.slice(0, 2), handshake });
    if (!retry.ok) throw retry.error;
    expect(retry.replies).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ack', data: { seq: 2 } })]));
    const runs = [a, b].reduce((sum, app) => sum + (app.app.get(FixtureHandlers).calls.get('door') ?? 0), 0);
    expect(runs).toBe(1);
    // and the answers wait in the outbox for the pull, once each
    const pulled = await doors(b).pull({ sessionId: session.id, token: session.token, cursor: 0, waitMs: 0 });
    expect(pulled.ok && seqs(pulled.messages)).toEqual([1, 2]);
  });

  it('open: a $hello without a link opens a session on one node that the other serves; a resume keeps it', async () => {
    const opened = await doors(a).open({ hello: envelope('h1', 'request', '$hello'), handshake, principal: null });
    if (!opened.ok) throw opened.error;
    expect(opened.welcome).toMatchObject({ type: 'response', action: '$hello', reply_to: 'h1', data: { resumed: false, last_seq: 0 } });
    const fresh = opened.welcome.data as { session_id: string; resume_token: string };
    const ran = await doors(b).deliver({ sessionId: fresh.session_id, token: fresh.resume_token, envelopes: [envelope('q', 'request', 'echo', { x: 1 }, { seq: 1 })], handshake });
    expect(ran.ok && ran.answers.length).toBe(1);
    const resumed = await doors(b).open({
      hello: envelope('h2', 'request', '$hello', { session_id: fresh.session_id, resume_token: fresh.resume_token, last_seq: 0 }),
      handshake,
      principal: null,
    });
    expect(resumed.ok && resumed.welcome.data).toMatchObject({ resumed: true, session_id: fresh.session_id, last_seq: 1 });
    const wrong = await doors(b).open({
      hello: envelope('h3', 'request', '$hello', { session_id: fresh.session_id, resume_token: 'nope' }),
      handshake,
      principal: null,
    });
    expect(wrong.ok && wrong.welcome.data).toMatchObject({ resumed: false, resume_error: { code: 'session_expired' } });
    const pulled = await doors(a).pull({ sessionId: fresh.session_id, token: fresh.resume_token, cursor: 0, waitMs: 0 });
    expect(pulled.ok && seqs(pulled.messages)).toEqual([1]);
  });

  it('link-less inbound: a wrong token is refused and runs nothing', async () => {
    for (const token of ['', 'short', session.token.slice(0, -1) + (session.token.endsWith('A') ? 'B' : 'A'), session.token + 'x']) {
      const result = await doors(b).deliver({ sessionId: session.id, token, envelopes: [envelope('q', 'request', 'counted', { key: 'nope' })], handshake });
      expect(result).toMatchObject({ ok: false, error: { code: 'session_expired' } });
    }
    const unknown = await doors(b).deliver({ sessionId: 'no-such-session', token: session.token, envelopes: [], handshake });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'session_expired' } });
    expect(a.app.get(FixtureHandlers).calls.get('nope') ?? 0).toBe(0);
    expect(b.app.get(FixtureHandlers).calls.get('nope') ?? 0).toBe(0);
  });
});

describe('session doors: token comparison', () => {
  it('compares hashes of equal length, so the time does not depend on how much of the token matches', async () => {
    const broker = new MemoryBroker();
    const t = await startTestApp(fixtureModule({ broker }));
    try {
      const { peer, welcome } = await RawPeer.hello(t.wsUrl);
      await peer.close();
      const id = (welcome.data as { session_id: string }).session_id;
      const [record] = await broker.sessions.list();
      // Only a SHA-256 of the token is stored: the compare is always 43 base64url characters.
      expect(record.id).toBe(id);
      expect(record.tokenHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(record)).not.toContain((welcome.data as { resume_token: string }).resume_token);
    } finally {
      await t.app.close();
    }
  });
});
