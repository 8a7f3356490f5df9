import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 500, maxMs: 10_000 };

  it('doubles the ceiling per attempt up to maxMs (random → 1)', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 30].map((a) => backoffDelay(a, policy, () => 1));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('applies full jitter: anywhere from 0 to the ceiling', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(500);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(1998);
  });

  it('clamps an out-of-range random source and survives huge attempt numbers', () => {
    expect(backoffDelay(1, policy, () => 7)).toBe(500);
    expect(backoffDelay(1, policy, () => -1)).toBe(0);
    expect(backoffDelay(5000, policy, () => 0.5)).toBe(5000);
  });
});
