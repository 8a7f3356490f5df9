import { afterEach, describe, expect, it } from 'vitest';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';

/** The WebSocket endpoint at the wire level: handshake, errors for bad input, auth. */
describe('WebSocket wire protocol', () => {
  let t: TestApp | undefined;
  const peers: RawPeer[] = [];

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await t?.app.close();
    t = undefined;
  });

  async function hello(url: string, data?: Record<string, unknown>) {
    const r = await RawPeer.hello(url, data);
    peers.push(r.peer);
    return r;
  }

  it('answers the hello with a welcome carrying a session, a resume token and the timings', async () => {
    t = await startTestApp(fixtureModule({ heartbeat: { intervalMs: 5000, timeoutMs: 4000 } }));
    const { welcome } = await hello(t.wsUrl);
    expect(welcome).toMatchObject({ type: 'response', reply_to: 'hello-1', action: '$hello' });
    expect(welcome.seq).toBeUndefined();
    const data = welcome.data as Record<string, unknown>;
    expect(data.session_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(data.resume_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(data).toMatchObject({ resumed: false, last_seq: 0, heartbeat: { interval_ms: 5000, timeout_ms: 4000 } });
    expect(welcome.session_id).toBe(data.session_id);
  });

  it('opens a session implicitly when the first frame is not a hello', async () => {
    t = await startTestApp(fixtureModule());
    const peer = await RawPeer.open(t.wsUrl);
    peers.push(peer);
    peer.request('r1', 'echo', { x: 1 });
    const welcome = await peer.next((f) => f.action === '$hello');
    expect(welcome.reply_to).toBeUndefined();
    const reply = await peer.reply('r1');
    expect(reply).toMatchObject({ type: 'response', action: 'echo', data: { x: 1 }, seq: 1 });
    expect(reply.session_id).toBe((welcome.data as Record<string, unknown>).session_id);
  });

  it('answers every kind of bad input with an error envelope and keeps serving a second client', async () => {
    t = await startTestApp(fixtureModule({ maxPayload: 4096 }));
    const { peer } = await hello(t.wsUrl);
    const { peer: other } = await hello(t.wsUrl);
    const ok = async (n: number) => {
      other.request(`ok-${n}`, 'echo', { n });
      expect((await other.reply(`ok-${n}`)).data).toEqual({ n });
    };

    peer.send('this is not json');
    expect((await peer.next((f) => f.type === 'error')).data).toMatchObject({ code: 'bad_frame' });
    await ok(1);

    peer.send(Buffer.from([1, 2, 3]));
    expect((await peer.next((f) => f.type === 'error')).data).toMatchObject({ code: 'bad_frame' });

    peer.send('[1,2,3]');
    expect((await peer.next((f) => f.type === 'error')).data).toMatchObject({ code: 'bad_frame' });
    await ok(2);

    peer.send({ id: 'm1', type: 'request', data: {}, timestamp: 1 });
    const missing = await peer.next((f) => f.type === 'error');
    expect(missing).toMatchObject({ reply_to: 'm1', data: { code: 'bad_envelope' } });
    expect(String((missing.data as Record<string, unknown>).message)).toContain('action');

    peer.send({ id: 'm2', type: 'request', action: 'echo', data: [1], timestamp: 1 });
    expect(await peer.next((f) => f.type === 'error')).toMatchObject({ reply_to: 'm2', data: { code: 'bad_envelope' } });

    peer.send({ id: 'm3', type: 'shout', action: 'echo', data: {}, timestamp: 1 });
    expect(await peer.next((f) => f.type === 'error')).toMatchObject({ reply_to: 'm3', data: { code: 'bad_envelope' } });

    peer.send({ id: 'm4', type: 'request', action: 'echo', data: {}, timestamp: 'noon' });
    expect(await peer.next((f) => f.type === 'error')).toMatchObject({ reply_to: 'm4', data: { code: 'bad_envelope' } });

    peer.send({ id: 42, type: 'request', action: 'echo', data: {}, timestamp: 1 });
    const noId = await peer.next((f) => f.type === 'error');
    expect(noId.data).toMatchObject({ code: 'bad_envelope' });
    expect(noId.reply_to).toBeUndefined();

    peer.request('m5', 'no-such-action');
    expect(await peer.reply('m5')).toMatchObject({ type: 'error', data: { code: 'unknown_action' } });
    await ok(3);

    peer.send({ id: 'big', type: 'request', action: 'echo', data: { pad: 'x'.repeat(8000) }, timestamp: 1 });
    expect((await peer.closed).code).toBe(1009);
    await ok(4);
  });

  it('refuses the upgrade with 401 when authenticate rejects, and creates no session', async () => {
    t = await startTestApp(fixtureModule({ authenticate: tokenAuth }));
    await expect(RawPeer.open(`${t.wsUrl}?token=mallory`)).rejects.toMatchObject({ status: 401 });
    await expect(RawPeer.open(t.wsUrl)).rejects.toMatchObject({ status: 401 });
    const { welcome } = await hello(`${t.wsUrl}?token=bob`);
    expect(welcome.type).toBe('response');
  });

  it('binds the principal to the session: a resume by another principal gets a fresh session', async () => {
    t = await startTestApp(fixtureModule({ authenticate: tokenAuth }));
    const { peer, welcome } = await hello(`${t.wsUrl}?token=alice`);
    const first = welcome.data as Record<string, unknown>;
    await peer.close();
    const resume = { session_id: first.session_id, resume_token: first.resume_token, last_seq: 0 };
    const { welcome: stolen } = await hello(`${t.wsUrl}?token=bob`, resume);
    expect(stolen.data).toMatchObject({ resumed: false, resume_error: { code: 'forbidden' } });
    expect((stolen.data as Record<string, unknown>).session_id).not.toBe(first.session_id);
    const { welcome: back } = await hello(`${t.wsUrl}?token=alice`, resume);
    expect(back.data).toMatchObject({ resumed: true, session_id: first.session_id });
  });

  it('answers a resume with a wrong token as session_expired', async () => {
    t = await startTestApp(fixtureModule());
    const { peer, welcome } = await hello(t.wsUrl);
    await peer.close();
    const data = welcome.data as Record<string, unknown>;
    const { welcome: again } = await hello(t.wsUrl, { session_id: data.session_id, resume_token: 'guess', last_seq: 0 });
    expect(again.data).toMatchObject({ resumed: false, resume_error: { code: 'session_expired' } });
  });

  it('runs a retried request once: a repeated client seq is dropped, a repeated id gets the cached response', async () => {
    t = await startTestApp(fixtureModule({ ack: { intervalMs: 10, maxMessages: 1 } }));
    const { peer } = await hello(t.wsUrl);
    const key = `retry-${Date.now()}`;
    peer.request('q1', 'counted', { key }, { seq: 1 });
    expect(await peer.reply('q1')).toMatchObject({ data: { key, runs: 1 }, seq: 1 });
    expect(await peer.next((f) => f.type === 'ack')).toMatchObject({ data: { seq: 1 } });
    // the same seq again (a resend): dropped, acknowledged again, not run
    peer.request('q1', 'counted', { key }, { seq: 1 });
    expect(await peer.next((f) => f.type === 'ack')).toMatchObject({ data: { seq: 1 } });
    // the same id under a new seq (a client retrying by id): answered from the cache, not run
    peer.request('q1', 'counted', { key }, { seq: 2 });
    const again = await peer.reply('q1');
    expect(again).toMatchObject({ data: { key, runs: 1 }, seq: 2 });
    // the same id without any seq (a minimal client): the same
    peer.request('q1', 'counted', { key });
    expect(await peer.reply('q1')).toMatchObject({ data: { key, runs: 1 }, seq: 3 });
    // a new request proves the handler would have counted a second run
    peer.request('q2', 'counted', { key }, { seq: 3 });
    expect((await peer.reply('q2')).data).toEqual({ key, runs: 2 });
  });

  it('replays un-acked messages on resume, after the welcome and from the client\'s last_seq', async () => {
    t = await startTestApp(fixtureModule());
    const { peer, welcome } = await hello(t.wsUrl);
    const data = welcome.data as Record<string, unknown>;
    for (let i = 1; i <= 5; i++) peer.request(`e${i}`, 'echo', { i });
    for (let i = 1; i <= 5; i++) expect((await peer.reply(`e${i}`)).seq).toBe(i);
    peer.send({ id: 'a1', type: 'ack', action: '', data: { seq: 2 }, timestamp: 1 });
    await peer.close();
    const { peer: back, welcome: again } = await hello(t.wsUrl, { session_id: data.session_id, resume_token: data.resume_token, last_seq: 3 });
    expect(again.data).toMatchObject({ resumed: true, session_id: data.session_id, last_seq: 0 });
    const replayed = [await back.next((f) => f.seq !== undefined), await back.next((f) => f.seq !== undefined)];
    expect(replayed.map((f) => [f.seq, f.reply_to])).toEqual([
      [4, 'e4'],
      [5, 'e5'],
    ]);
  });

  it('piggybacks acks both ways: answers carry the client seq they acknowledge; a client ack on a request trims the outbox', async () => {
    t = await startTestApp(fixtureModule());
    const { peer, welcome } = await hello(t.wsUrl);
    const data = welcome.data as Record<string, unknown>;
    for (let i = 1; i <= 3; i++) {
      peer.request(`p${i}`, 'echo', { i }, { seq: i });
      expect(await peer.reply(`p${i}`)).toMatchObject({ seq: i, ack: i });
    }
    // the next request says "I have processed your 1..3"; nothing else acknowledges them
    peer.request('p4', 'echo', { i: 4 }, { seq: 4, ack: 3 });
    expect(await peer.reply('p4')).toMatchObject({ seq: 4, ack: 4 });
    await peer.close();
    // resuming from 0 replays only what was not acknowledged
    const { peer: back, welcome: again } = await hello(t.wsUrl, { session_id: data.session_id, resume_token: data.resume_token, last_seq: 0 });
    expect(again.data).toMatchObject({ resumed: true, last_seq: 4 });
    expect(await back.next((f) => f.seq !== undefined)).toMatchObject({ seq: 4, reply_to: 'p4' });
  });

  it('refuses a client seq that skips ahead, and applies an ack carried by a heartbeat', async () => {
    t = await startTestApp(fixtureModule());
    const { peer, welcome } = await hello(t.wsUrl);
    const data = welcome.data as Record<string, unknown>;
    peer.request('g1', 'echo', { n: 1 }, { seq: 5 });
    expect(await peer.reply('g1')).toMatchObject({ type: 'error', data: { code: 'bad_envelope' } });
    peer.request('g2', 'echo', { n: 2 }, { seq: 1 });
    // the refusal was unsequenced: the answer to g2 is the session's first sequenced message
    expect(await peer.reply('g2')).toMatchObject({ type: 'response', seq: 1, data: { n: 2 } });
    // the only ack of it rides on a heartbeat
    peer.send({ id: 'hb', type: 'heartbeat', action: '', data: {}, timestamp: 1, ack: 1 });
    await peer.next((f) => f.type === 'heartbeat' && f.reply_to === 'hb');
    await peer.close();
    const { peer: back, welcome: again } = await hello(t.wsUrl, { session_id: data.session_id, resume_token: data.resume_token, last_seq: 0 });
    expect(again.data).toMatchObject({ resumed: true, last_seq: 1 });
    back.request('g3', 'echo', { n: 3 }, { seq: 2 });
    // nothing before it is replayed: seq 1 was acknowledged by the heartbeat
    expect(await back.next((f) => f.seq !== undefined)).toMatchObject({ seq: 2, reply_to: 'g3' });
  });

  it('a second hello on an open session is a bad_request', async () => {
    t = await startTestApp(fixtureModule());
    const { peer } = await hello(t.wsUrl);
    peer.request('h2', '$hello');
    expect(await peer.next((f) => f.reply_to === 'h2')).toMatchObject({ type: 'error', data: { code: 'bad_request' } });
  });
});
