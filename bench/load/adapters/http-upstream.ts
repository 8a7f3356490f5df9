/**
 * The way up of the HTTP bench clients, as nest-duplex's own client does it (lib/client/transports/
 * http-upstream.ts): one POST at a time, carrying everything queued while the previous one was out
 * (Socket.IO's polling client batches its POSTs the same way). Over global `fetch`, whose undici
 * dispatcher keeps connections alive as a browser does.
 */
export interface UpstreamHooks {
  /** How a batch travels: nest-duplex posts one envelope or a JSON array, the raw servers lines. */
  join(batch: string[]): string;
  answered(status: number, body: string): void;
  /** The POST failed on the network (never called once `signal` aborted). */
  failed(error: unknown): void;
}

export class Upstream {
  private queue: string[] = [];
  private pumping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly signal: AbortSignal,
    private readonly hooks: UpstreamHooks,
  ) {}

  send(text: string): void {
    this.queue.push(text);
    if (this.pumping) return;
    this.pumping = true;
    // Whatever is sent in this turn goes in the same request.
    queueMicrotask(() => void this.pump());
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.pumping) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.signal.aborted) {
      const batch = this.queue;
      this.queue = [];
      try {
        const response = await fetch(this.url, { method: 'POST', headers: this.headers, body: this.hooks.join(batch), signal: this.signal });
        this.hooks.answered(response.status, await response.text());
      } catch (error) {
        if (!this.signal.aborted) this.hooks.failed(error);
        break;
      }
    }
    this.pumping = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** What a fetch failure says, for the problem list (undici hides the socket error in `cause`). */
export function fetchFailure(error: unknown): string {
  const err = error as { message?: string; cause?: { code?: string; message?: string } };
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(' / ').slice(0, 160);
}
