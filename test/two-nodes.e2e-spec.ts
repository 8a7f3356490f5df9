/**
 * Two nodes, one broker: two Nest apps in this process, each on its own port, sharing one broker
 * instance. What one node knows of a session, the other must too. This suite is what every broker
 * passes: a new one joins BROKERS with one line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplexClient } from '../lib/client/index.js';
import { type DuplexBroker, DuplexService } from '../lib/index.js';
import { BROKERS } from './support/brokers.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { type Frame, RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

const note = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `c${n}`,
  type: 'notification',
  action: 'noop',
  data: {},
  timestamp: Date.now() / 1000,
  ...extra,
});

describe.each(BROKERS)('two nodes sharing one %s broker', (_name, makeBroker) => {
  let broker: DuplexBroker;
  let a: TestApp;
  let b: TestApp;
  const clients: DuplexClient[] = [];
  const peers: RawPeer[] = [];

  beforeEach(async () => {
    broker = makeBroker();
    a = await startTestApp(fixtureModule({ broker }));
    b = await startTestApp(fixtureModule({ broker }));
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await a.app.close();
    await b.app.close();
    await broker.close?.();
  });

  async function hello(app: TestApp, data: Record<string, unknown> = {}): Promise<{ peer: RawPeer; welcome: Frame; id: string; token: string }> {
    const { peer, welcome } = await RawPeer.hello(app.wsUrl, data);
    peers.push(peer);
    const w = welcome.data as Record<string, unknown>;
    return { peer, welcome, id: w.session_id as string, token: w.resume_token as string };
  }

  /** Sequenced messages of `action` until `count` have arrived, in arrival order. */
  async function receive(peer: RawPeer, count: number, action = 'n'): Promise<Frame[]> {
    const got: Frame[] = [];
    while (got.length < count) got.push(await peer.next((f) => f.action === action && typeof f.seq === 'number'));
    return got;
  }

  const duplexOf = (app: TestApp) => app.app.get(DuplexService);
  const runsOf = (key: string) => [a, b].reduce((sum, app) => sum + (app.app.get(FixtureHandlers).calls.get(key) ?? 0), 0);

  it('a session opened on A resumes on B with nothing lost or doubled, and B sends reach it', async () => {
    const first = await hello(a);
    for (let i = 1; i <= 10; i++) await duplexOf(a).send(first.id, 'n', { i });
    const before = await receive(first.peer, 10);
    // The client processed 6 when its link died; 7..10 are un-acked.
    first.peer.send({ id: 'ack-1', type: 'ack', action: '', data: { seq: 6 }, timestamp: 0 });
    first.peer.ws.terminate();
    for (let i = 11; i <= 15; i++) await duplexOf(a).send(first.id, 'n', { i });
    const second = await hello(b, { session_id: first.id, resume_token: first.token, last_seq: 6 });
    expect(second.welcome.data).toMatchObject({ resumed: true, session_id: first.id });
    for (let i = 16; i <= 20; i++) await duplexOf(b).send(first.id, 'n', { i });
    const after = await receive(second.peer, 14);
    expect(before.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(after.map((f) => f.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 7));
    expect(after.map((f) => (f.data as { i: number }).i)).toEqual(Array.from({ length: 14 }, (_, i) => i + 7));
    const sessions = await duplexOf(a).getSessions();
    expect(sessions.find((s) => s.sessionId === first.id)).toMatchObject({ connected: true, transport: 'websocket' });
  });

  it('send and broadcast on B reach a link on A, each once', async () => {
    const onA = await hello(a);
    const alsoOnA = await hello(a);
    const onB = await hello(b);
    await duplexOf(b).send(onA.id, 'direct', { to: 'a' });
    expect(await duplexOf(b).broadcast('all', { x: 1 })).toBe(3);
    for (const peer of [onA.peer, alsoOnA.peer, onB.peer]) {
      const frame = await peer.next((f) => f.action === 'all');
      expect(frame.data).toEqual({ x: 1 });
    }
    expect((await onA.peer.next((f) => f.action === 'direct')).data).toEqual({ to: 'a' });
    // Rooms are the broker's too: joined on A, broadcast to on B.
    await duplexOf(a).join(alsoOnA.id, 'blue');
    expect(await duplexOf(b).broadcast('room', { c: 'blue' }, { rooms: ['blue'] })).toBe(1);
    expect((await alsoOnA.peer.next((f) => f.action === 'room')).data).toEqual({ c: 'blue' });
    // Nothing doubled: one more broadcast, and each peer's next 'all' is that one.
    await duplexOf(a).broadcast('all', { x: 2 });
    for (const peer of [onA.peer, alsoOnA.peer, onB.peer]) expect((await peer.next((f) => f.action === 'all')).data).toEqual({ x: 2 });
  });

  it('getSessions by room and getRooms see members on both nodes; a leave on either node is seen by both', async () => {
    const onA = await hello(a);
    const onB = await hello(b);
    const outsider = await hello(b);
    await duplexOf(a).join(onA.id, 'green');
    await duplexOf(b).join(onB.id, 'green');
    await duplexOf(a).join(onB.id, 'red');
    for (const app of [a, b]) {
      const green = await duplexOf(app).getSessions({ room: 'green' });
      expect(green.map((s) => s.sessionId).sort()).toEqual([onA.id, onB.id].sort());
      expect(green.every((s) => s.connected && s.transport === 'websocket')).toBe(true);
      expect((await duplexOf(app).getSessions({ room: 'red' })).map((s) => s.sessionId)).toEqual([onB.id]);
      expect(await duplexOf(app).getSessions({ room: 'nobody-here' })).toEqual([]);
      expect((await duplexOf(app).getRooms(onB.id)).sort()).toEqual(['green', 'red']);
      expect(await duplexOf(app).getRooms(outsider.id)).toEqual([]);
    }
    await duplexOf(b).leave(onA.id, 'green');
    expect((await duplexOf(a).getSessions({ room: 'green' })).map((s) => s.sessionId)).toEqual([onB.id]);
    // A session that ends leaves its rooms everywhere.
    onB.peer.request('bye', '$bye', {});
    await until(async () => (await duplexOf(a).getSessions({ room: 'green' })).length === 0, 5000, 'the ended session to leave its rooms');
    expect(await duplexOf(b).getSessions({ room: 'red' })).toEqual([]);
  });

  it('a request retried to B after running on A does not run again; its answer is replayed', async () => {
    const first = await hello(a);
    first.peer.request('r1', 'counted', { key: 'retry' }, { seq: 1 });
    const answer = await first.peer.reply('r1');
    expect(answer.data).toEqual({ key: 'retry', runs: 1 });
    first.peer.ws.terminate(); // the answer was never acked
    const second = await hello(b, { session_id: first.id, resume_token: first.token, last_seq: 0 });
    // The welcome says client seq 1 was received: a compliant client would not resend it; this one does.
    expect(second.welcome.data).toMatchObject({ resumed: true, last_seq: 1 });
    second.peer.request('r1', 'counted', { key: 'retry' }, { seq: 1 });
    const replayed = await second.peer.reply('r1');
    expect(replayed).toMatchObject({ seq: answer.seq, data: { key: 'retry', runs: 1 } });
    // Unsequenced retry of the same id: de-duplicated by id, answered again from the outbox.
    second.peer.request('r1', 'counted', { key: 'retry' });
    const again = await second.peer.reply('r1');
    expect(again.data).toEqual({ key: 'retry', runs: 1 });
    expect(runsOf('retry')).toBe(1);
  });

  it('DuplexService.request() from A to a client now on B gets its answer', async () => {
    const client = new DuplexClient({ serverUrl: b.wsUrl, reconnect: { enabled: false } });
    clients.push(client);
    client.registerCallback('ask', (data) => ({ answer: (data.q as number) * 2 }));
    await client.connect();
    await expect(duplexOf(a).request(client.sessionId!, 'ask', { q: 21 })).resolves.toEqual({ answer: 42 });
    await expect(duplexOf(b).request(client.sessionId!, 'ask', { q: 5 })).resolves.toEqual({ answer: 10 });
  });

  it('a session ended on one node is gone on both', async () => {
    const client = new DuplexClient({ serverUrl: a.wsUrl, reconnect: { enabled: false } });
    await client.connect();
    const id = client.sessionId!;
    expect((await duplexOf(b).getSessions()).some((s) => s.sessionId === id)).toBe(true);
    await client.disconnect(); // the goodbye
    await until(async () => !(await duplexOf(b).getSessions()).some((s) => s.sessionId === id), 5000, 'the session to end on B');
    await expect(duplexOf(b).send(id, 'n', {})).rejects.toMatchObject({ code: 'session_expired' });
  });

  it('a goodbye on B closes the session\'s link on A and fails A\'s pending requests', async () => {
    const onA = await hello(a);
    const pending = duplexOf(a).request(onA.id, 'never-answered', {}, { timeoutMs: 30_000 }).catch((err: unknown) => err);
    await onA.peer.next((f) => f.action === 'never-answered');
    const bye = await hello(b, { session_id: onA.id, resume_token: onA.token, last_seq: 1 });
    // The resume on B took the session over: A's link is closed with 4000.
    expect(await onA.peer.closed).toMatchObject({ code: 4000 });
    bye.peer.request('bye-1', '$bye');
    expect(await bye.peer.reply('bye-1')).toMatchObject({ type: 'response', action: '$bye' });
    expect(await bye.peer.closed).toMatchObject({ code: 1000 });
    expect(await pending).toMatchObject({ code: 'session_expired' });
  });

  it('takeover across nodes: a resume on B closes the live link on A with 4000', async () => {
    const onA = await hello(a);
    onA.peer.send(note(1, { seq: 1 }));
    await hello(b, { session_id: onA.id, resume_token: onA.token, last_seq: 0 });
    expect(await onA.peer.closed).toMatchObject({ code: 4000 });
  });
});
