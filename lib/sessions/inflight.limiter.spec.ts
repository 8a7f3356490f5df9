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
});
