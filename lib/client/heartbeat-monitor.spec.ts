import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatMonitor } from './heartbeat-monitor.js';

describe('HeartbeatMonitor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('declares the link dead after the deadline without frames', () => {
    const dead: number[] = [];
    const monitor = new HeartbeatMonitor((silent) => dead.push(silent));
    monitor.start(100);
    vi.advanceTimersByTime(99);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dead).toEqual([100]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts the silence from the last frame', () => {
    const dead: number[] = [];
    const monitor = new HeartbeatMonitor((silent) => dead.push(silent));
    monitor.start(100);
    vi.advanceTimersByTime(80);
    monitor.touch();
    vi.advanceTimersByTime(99);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(dead).toEqual([100]);
  });

  it('stop() leaves no timer', () => {
    const monitor = new HeartbeatMonitor(() => {
      throw new Error('must not fire');
    });
    monitor.start(100);
    monitor.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
  });
});
