import { describe, expect, it } from 'vitest';
import { RunningWork } from './running-work.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('RunningWork', () => {
  it('settles at once when nothing runs', async () => {
    expect(await new RunningWork().settled(10_000)).toBe(true);
  });

  it('waits for every tracked piece of work, and forgets what finished', async () => {
    const work = new RunningWork();
    const first = gate();
    const second = gate();
    void work.track(first.promise);
    void work.track(second.promise);
    expect(work.size).toBe(2);
    let settled = false;
    const waiting = work.settled(60_000).then((all) => (settled = all));
    first.open();
    await first.promise;
    await Promise.resolve();
    expect(work.size).toBe(1);
    expect(settled).toBe(false);
    second.open();
    expect(await waiting).toBe(true);
    expect(work.size).toBe(0);
  });

  it('gives up after the timeout and says so', async () => {
    const work = new RunningWork();
    void work.track(new Promise(() => undefined));
    expect(await work.settled(5)).toBe(false);
    expect(work.size).toBe(1);
  });
});
