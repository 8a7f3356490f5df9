import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkHeartbeat } from './link-heartbeat.js';

describe('LinkHeartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings every interval while frames keep coming, and never declares a live link dead', () => {
    const ping = vi.fn();
    const dead = vi.fn();
    const hb = new LinkHeartbeat(1000, 500, ping, dead);
    hb.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1000);
      hb.received();
    }
    expect(ping).toHaveBeenCalledTimes(10);
    expect(dead).not.toHaveBeenCalled();
    hb.stop();
  });

  it('declares the link dead exactly interval + timeout after the last frame', () => {
    const dead = vi.fn();
    const hb = new LinkHeartbeat(1000, 500, () => undefined, dead);
    hb.start();
    vi.advanceTimersByTime(300);
    hb.received();
    vi.advanceTimersByTime(1499);
    expect(dead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(dead).toHaveBeenCalledTimes(1);
  });
});
