import { describe, expect, it } from 'vitest';
import { resolveDuplexOptions } from '../duplex-options.resolver.js';
import { InflightLimiter } from './inflight.limiter.js';
import type { Link } from './link.js';
import { LiveSession } from './live-session.js';
import { LocalSessions } from './local-sessions.js';

function fakeLink(): Link & { paused: boolean } {
  const link = {
    paused: false,
    pauseReading: () => void (link.paused = true),
    resumeReading: () => void (link.paused = false),
  };
  return link as unknown as Link & { paused: boolean };
}

describe('InflightLimiter', () => {
  it('pauses at maxInflight and resumes at half, counting per session', () => {
    const locals = new LocalSessions();
    const limiter = new InflightLimiter(locals, resolveDuplexOptions({ maxInflight: 4 }));
    const link = fakeLink();
    locals.set(new LiveSession('s', link, 'l1', 'e'));
    for (let i = 0; i < 3; i++) limiter.began('s');
    expect(link.paused).toBe(false);
    limiter.began('s');
    expect(link.paused).toBe(true);
    limiter.began('s'); // frames of a chunk already read still run
    limiter.ended('s');
    limiter.ended('s');
    expect(link.paused).toBe(true);
    limiter.ended('s');
    expect(link.paused).toBe(false);
  });

  it('a link that takes over a session at its limit starts paused, and is resumed as the old handlers finish (R4)', () => {
    const locals = new LocalSessions();
    const limiter = new InflightLimiter(locals, resolveDuplexOptions({ maxInflight: 4 }));
    const old = fakeLink();
    locals.set(new LiveSession('s', old, 'l1', 'e'));
    for (let i = 0; i < 4; i++) limiter.began('s');
    const fresh = fakeLink();
    const live = new LiveSession('s', fresh, 'l2', 'e');
    locals.set(live);
    limiter.attached(live);
    expect(fresh.paused).toBe(true);
    limiter.ended('s');
    limiter.ended('s');
    expect(fresh.paused).toBe(false);
    expect(limiter.inflight('s')).toBe(2);
  });

  it('acquire: takes a slot at once below maxInflight; past it waits, first come first served, for a handler to end', async () => {
    const locals = new LocalSessions();
    const limiter = new InflightLimiter(locals, resolveDuplexOptions({ maxInflight: 2 }));
    const order: number[] = [];
    await limiter.acquire('s');
    limiter.began('s'); // a link's handler counts too
    const waiting = [1, 2].map((n) => limiter.acquire('s').then(() => void order.push(n)));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(limiter.waiters('s')).toBe(2);
    // Another session is not held up.
    await limiter.acquire('other');
    limiter.ended('s');
    await waiting[0];
    expect(order).toEqual([1]);
    expect(limiter.inflight('s')).toBe(2); // the slot passed on: no one slips in between
    // A later caller queues behind the waiter: the next free slot goes to the waiter.
    const late = limiter.acquire('s').then(() => void order.push(3));
    limiter.ended('s');
    await waiting[1];
    expect(order).toEqual([1, 2]);
    expect(limiter.waiters('s')).toBe(1);
    limiter.ended('s');
    await late;
    expect(order).toEqual([1, 2, 3]);
    expect(limiter.waiters('s')).toBe(0);
    expect(limiter.inflight('s')).toBe(2);
  });

  it('acquire counts toward pausing the session\'s link like a handler of the link', async () => {
    const locals = new LocalSessions();
    const limiter = new InflightLimiter(locals, resolveDuplexOptions({ maxInflight: 2 }));
    const link = fakeLink();
    locals.set(new LiveSession('s', link, 'l1', 'e'));
    await limiter.acquire('s');
    await limiter.acquire('s');
    expect(link.paused).toBe(true);
    limiter.ended('s');
    expect(link.paused).toBe(false);
  });
});
