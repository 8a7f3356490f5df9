/**
 * Regression tests for defects a review found (issue 8), over a real app and raw WebSocket peers.
 * R1, R6, R7 and R9 have theirs beside the code they concern.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureHandlers, type TestPrincipal } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { type Frame, RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

let t: TestApp | undefined;
const peers: RawPeer[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await t?.app.close();
  t = undefined;
});

async function hello(url: string, data: Record<string, unknown> = {}): Promise<{ peer: RawPeer; welcome: Frame; id: string; token: string }> {
  const { peer, welcome } = await RawPeer.hello(url, data);
  peers.push(peer);
  const w = (welcome.data ?? {}) as Record<string, unknown>;
  return { peer, welcome, id: w.session_id as string, token: w.resume_token as string };
}

describe('review regressions', () => {
  it('R5: past session.maxSessions a new session is refused with session_limit and close 1013; live ones are never evicted', async () => {
    t = await startTestApp(fixtureModule({ session: { maxSessions: 2 } }));
    const one = await hello(t.wsUrl);
    const two = await hello(t.wsUrl);
    const third = await RawPeer.open(t.wsUrl);
    peers.push(third);
    third.request('h3', '$hello');
    expect(await third.reply('h3')).toMatchObject({ type: 'error', data: { code: 'session_limit' } });
    expect(await third.closed).toMatchObject({ code: 1013 });
    // the two sessions are untouched, and a resume at the limit still works
    one.peer.request('e1', 'echo', { still: 'here' }, { seq: 1 });
    expect((await one.peer.reply('e1')).data).toEqual({ still: 'here' });
    await two.peer.close();
    const back = await hello(t.wsUrl, { session_id: two.id, resume_token: two.token, last_seq: 0 });
    expect(back.welcome.data).toMatchObject({ resumed: true });
    // a goodbye frees a place
    one.peer.request('bye', '$bye');
    expect(await one.peer.closed).toMatchObject({ code: 1000 });
    const fresh = await hello(t.wsUrl);
    expect(fresh.welcome.data).toMatchObject({ resumed: false });
  });

  it('R8: guards see the principal of the live connection, not the one that opened the session', async () => {
    const roles = new Map<string, TestPrincipal['role']>([['carol', 'admin']]);
    t = await startTestApp(
      fixtureModule({
        authenticate: (handshake) => {
          const user = handshake.query.user;
          const role = typeof user === 'string' ? roles.get(user) : undefined;
          return role === undefined ? null : { id: user, role };
        },
      }),
    );
    const first = await hello(`${t.wsUrl}?user=carol`);
    first.peer.request('a1', 'admin', {}, { seq: 1 });
    expect(await first.peer.reply('a1')).toMatchObject({ type: 'response', data: { secret: 'for admins' } });
    first.peer.ws.terminate();
    roles.set('carol', 'user'); // demoted between connections
    const second = await hello(`${t.wsUrl}?user=carol`, { session_id: first.id, resume_token: first.token, last_seq: 1 });
    expect(second.welcome.data).toMatchObject({ resumed: true });
    second.peer.request('a2', 'admin', {}, { seq: 2 });
    expect(await second.peer.reply('a2')).toMatchObject({ type: 'error', data: { code: 'forbidden' } });
    second.peer.request('w', 'whoami', {}, { seq: 3 });
    expect((await second.peer.reply('w')).data).toMatchObject({ principal: { id: 'carol', role: 'user' } });
  });

  it('R8: the identity check on resume stays', async () => {
    t = await startTestApp(fixtureModule({ authenticate: (h) => (typeof h.query.user === 'string' ? { id: h.query.user } : null) }));
    const first = await hello(`${t.wsUrl}?user=dave`);
    first.peer.ws.terminate();
    const other = await hello(`${t.wsUrl}?user=eve`, { session_id: first.id, resume_token: first.token, last_seq: 0 });
    expect(other.welcome.data).toMatchObject({ resumed: false, resume_error: { code: 'forbidden' } });
  });

  it('a client message with seq 0 is refused with bad_envelope and never run', async () => {
    t = await startTestApp(fixtureModule());
    const { peer } = await hello(t.wsUrl);
    peer.request('z', 'counted', { key: 'zero' }, { seq: 0 });
    expect(await peer.next((f) => f.reply_to === 'z')).toMatchObject({ type: 'error', data: { code: 'bad_envelope' } });
    peer.request('one', 'counted', { key: 'zero' }, { seq: 1 });
    expect((await peer.reply('one')).data).toEqual({ key: 'zero', runs: 1 });
  });

  it('R4: after a takeover of a session at maxInflight, every request is still answered once', async () => {
    t = await startTestApp(fixtureModule({ maxInflight: 4 }));
    const handlers = t.app.get(FixtureHandlers);
    handlers.closeGate();
    handlers.held = 0;
    const first = await hello(t.wsUrl);
    for (let i = 1; i <= 10; i++) first.peer.request(`h${i}`, 'hold', { i }, { seq: i });
    await until(() => handlers.held >= 4, 5000, '4 handlers running');
    first.peer.ws.terminate();
    const second = await hello(t.wsUrl, { session_id: first.id, resume_token: first.token, last_seq: 0 });
    const received = (second.welcome.data as { last_seq: number }).last_seq;
    // Resend what the server had not received, then 40 more.
    for (let i = received + 1; i <= 50; i++) second.peer.request(`h${i}`, 'hold', { i }, { seq: i });
    handlers.release();
    for (let i = 1; i <= 50; i++) expect((await second.peer.reply(`h${i}`)).data).toEqual({ i });
    expect(handlers.held).toBe(50);
  });
});
