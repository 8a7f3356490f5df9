/**
 * One clock for every bench process: CLOCK_MONOTONIC through `process.hrtime`, which Linux shares
 * across processes, so a time taken in the server and one taken in the generator can be subtracted.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A cheaper clock for intervals inside one process (no BigInt allocated per reading). */
export const localMs: () => number = performance.now.bind(performance);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or rejects after `ms` with a message naming what timed out. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
