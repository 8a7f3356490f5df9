/** Counts reconnect (or connect retry) attempts and runs each after its backoff delay; the one timer is always cancellable. */
import { backoffDelay } from './backoff.js';
import type { ReconnectOptions } from './client-options.js';

export interface ScheduledAttempt {
  /** From 1. */
  attempt: number;
  delayMs: number;
}

export class ReconnectScheduler {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly policy: Required<ReconnectOptions>,
    private readonly random: () => number,
  ) {}

  /**
   * Schedules the next attempt, or returns undefined (and starts counting afresh) once `maxAttempts`
   * (by default the policy's; connect() passes its `connect.retries`) are used up.
   */
  schedule(run: () => void, maxAttempts = this.policy.maxAttempts): ScheduledAttempt | undefined {
    this.cancel();
    const attempt = ++this.attempt;
    if (attempt > maxAttempts) {
      this.attempt = 0;
      return undefined;
    }
    const delayMs = backoffDelay(attempt, this.policy, this.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, delayMs);
    return { attempt, delayMs };
  }

  /** A welcome arrived (or the client stopped): the next loss starts again from attempt 1. */
  reset(): void {
    this.cancel();
    this.attempt = 0;
  }

  cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
