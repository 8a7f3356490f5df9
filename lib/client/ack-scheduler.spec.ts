import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckScheduler } from './ack-scheduler.js';

describe('AckScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acks interval_ms after the first un-acked message, not after the last', () => {
    const sent: number[] = [];
    const acks = new AckScheduler(() => sent.push(Date.now()));
    acks.configure({ intervalMs: 50, maxMessages: 10 });
    const start = Date.now();
    acks.noteReceived();
    vi.advanceTimersByTime(30);
    acks.noteReceived();
    vi.advanceTimersByTime(19);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([start + 50]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('acks at once at max_messages and clears the pending timer', () => {
    let sent = 0;
    const acks = new AckScheduler(() => sent++);
    acks.configure({ intervalMs: 50, maxMessages: 3 });
    acks.noteReceived();
    acks.noteReceived();
    expect(sent).toBe(0);
    acks.noteReceived();
    expect(sent).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends nothing when nothing is un-acked, and cancel() clears everything', () => {
    let sent = 0;
    const acks = new AckScheduler(() => sent++);
    acks.flush();
    acks.noteReceived();
    acks.cancel();
    vi.advanceTimersByTime(1000);
    acks.flush();
    expect(sent).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
