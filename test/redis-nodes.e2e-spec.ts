/**
 * Three nest-duplex nodes in three processes, one Redis: what one node does reaches clients on
 * every node, once. The nodes run the library compiled by tsc (test/fixtures/redis-node.mjs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, compileLibrary } from './support/node-process.js';
import { type Frame, RawPeer } from './support/raw-peer.js';
import { purge, testPrefix } from './support/redis.js';

describe('three node processes sharing one Redis', () => {
  let prefix = '';
  let nodes: NodeProcess[] = [];
  const peers: RawPeer[] = [];

  beforeAll(async () => {
    await compileLibrary();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
    await purge(prefix);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
  });

  async function startNodes(count: number): Promise<NodeProcess[]> {
    prefix = testPrefix();
    nodes = await Promise.all(Array.from({ length: count }, () => NodeProcess.start(prefix)));
    return nodes;
  }

  async function hello(node: NodeProcess): Promise<{ peer: RawPeer; id: string }> {
    const { peer, welcome } = await RawPeer.hello(node.wsUrl);
    peers.push(peer);
    return { peer, id: (welcome.data as { session_id: string }).session_id };
  }

  /** The frames of `actions` a peer got, in order, up to and including the one that matches `last`. */
  async function framesUntil(peer: RawPeer, actions: string[], last: (f: Frame) => boolean): Promise<Frame[]> {
    const got: Frame[] = [];
    for (;;) {
      const frame = await peer.next((f) => actions.includes(f.action as string), 10_000);
      got.push(frame);
      if (last(frame)) return got;
    }
  }

  it('a broadcast from node 1 reaches clients on all three exactly once; send from node 2 reaches a session on node 3; a room broadcast only its members, on every node', async () => {
    const [one, two, three] = await startNodes(3);
    const clients = [];
    for (const node of [one, two, three]) clients.push(await hello(node), await hello(node));
    const sessions = await three.call<Array<{ sessionId: string; connected: boolean }>>('sessions');
    expect(sessions.map((s) => s.sessionId).sort()).toEqual(clients.map((c) => c.id).sort());
    expect(sessions.every((s) => s.connected)).toBe(true);

    expect(await one.call('broadcast', 'all', { n: 1 })).toBe(6);
    const onThree = clients[4];
    await two.call('send', onThree.id, 'direct', { from: 2 });
    // Members: the first client of node 1 and of node 3, joined through node 2.
    const members = [clients[0], clients[4]];
    for (const member of members) await two.call('join', member.id, 'blue');
    const blue = await one.call<Array<{ sessionId: string }>>('sessions', { room: 'blue' });
    expect(blue.map((s) => s.sessionId).sort()).toEqual(members.map((c) => c.id).sort());
    expect(await one.call('broadcast', 'room', { c: 'blue' }, { rooms: ['blue'] })).toBe(2);
    expect(await three.call('broadcast', 'all', { n: 2 })).toBe(6);

    for (const client of clients) {
      const frames = await framesUntil(client.peer, ['all', 'room', 'direct'], (f) => f.action === 'all' && (f.data as { n: number }).n === 2);
      const expected: Array<{ action: string; data: Record<string, unknown> }> = [{ action: 'all', data: { n: 1 } }];
      if (client === onThree) expected.push({ action: 'direct', data: { from: 2 } });
      if (members.includes(client)) expected.push({ action: 'room', data: { c: 'blue' } });
      expected.push({ action: 'all', data: { n: 2 } });
      expect(frames.map((f) => ({ action: f.action, data: f.data }))).toEqual(expected);
      // numbered by the one writer of seq, from 1, with no gap
      expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: expected.length }, (_, i) => i + 1));
    }
  });

  it('a node SIGKILLed mid-stream: its client resumes on another node with every message once, in order; a retried request does not run again', async () => {
    const [a, b] = await startNodes(2);
    const first = await RawPeer.hello(a.wsUrl);
    peers.push(first.peer);
    const { session_id: id, resume_token: token } = first.welcome.data as { session_id: string; resume_token: string };
    // B streams to the session whose link is on A; the client processes (acks) half of it.
    for (let i = 1; i <= 20; i++) await b.call('send', id, 'tick', { i });
    const before: Frame[] = [];
    while (before.length < 20) before.push(await first.peer.next((f) => f.action === 'tick'));
    expect(before.map((f) => f.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    first.peer.send({ id: 'ack-1', type: 'ack', action: '', data: { seq: 10 }, timestamp: 0 });
    // A request runs on A; its answer (seq 21) arrives but is never acknowledged.
    first.peer.request('r1', 'counted', { key: 'once' }, { seq: 1 });
    expect(await first.peer.reply('r1')).toMatchObject({ seq: 21, data: { key: 'once', runs: 1 } });
    await a.kill(); // no detach, no goodbye, nothing flushed
    for (let i = 21; i <= 30; i++) await b.call('send', id, 'tick', { i });
    const second = await RawPeer.hello(b.wsUrl, { session_id: id, resume_token: token, last_seq: 10 });
    peers.push(second.peer);
    expect(second.welcome.data).toMatchObject({ resumed: true, last_seq: 1 });
    const after: Frame[] = [];
    while (after.length < 21) after.push(await second.peer.next((f) => f.action === 'tick' || f.action === 'counted'));
    expect(after.map((f) => f.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 11));
    expect(after.map((f) => (f.action === 'tick' ? (f.data as { i: number }).i : 'r1'))).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i + 11),
      'r1',
      ...Array.from({ length: 10 }, (_, i) => i + 21),
    ]);
    // The client retries r1 (its answer was un-acked): de-duplicated across nodes, answered again, not run.
    second.peer.request('r1', 'counted', { key: 'once' });
    expect(await second.peer.reply('r1')).toMatchObject({ data: { key: 'once', runs: 1 } });
  });
});
