/**
 * An EventSource made of `fetch` and a stream parser, for platforms that have no EventSource
 * (Node 20). Unlike the browser's it never reconnects by itself — the client resumes the session
 * with its own cursor — and an `error` says the HTTP status when there was one.
 */
import { EventStreamParser } from './event-stream-parser.js';
import type { EventSourceEventLike, EventSourceLike, FetchLike } from './http-like.js';

export interface FetchEventSourceError extends EventSourceEventLike {
  readonly type: 'error';
  readonly message: string;
  readonly status?: number;
}

export class FetchEventSource implements EventSourceLike {
  private readonly listeners = new Map<string, Array<(event: EventSourceEventLike) => void>>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(url: string, fetch: FetchLike, headers: Readonly<Record<string, string>> = {}) {
    // Listeners are added after construction, as on an EventSource.
    queueMicrotask(() => void this.run(url, fetch, headers));
  }

  addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
  }

  private emit(event: EventSourceEventLike): void {
    for (const listener of this.listeners.get(event.type) ?? []) {
      if (this.closed) return;
      listener(event);
    }
  }

  private fail(message: string, status?: number): void {
    if (this.closed) return;
    const event: FetchEventSourceError = { type: 'error', message, ...(status === undefined ? {} : { status }) };
    this.emit(event);
    this.close();
  }

  private async run(url: string, fetch: FetchLike, headers: Readonly<Record<string, string>>): Promise<void> {
    const { signal } = this.abort;
    try {
      const response = await fetch(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' }, signal, cache: 'no-store' });
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/event-stream') || response.body === null) {
        // The status says enough; the body (which might never end) is not waited for.
        void response.body?.getReader().cancel().catch(() => undefined);
        this.fail(`The event stream was answered with HTTP ${response.status}${type ? ` (${type})` : ''}`, response.status);
        return;
      }
      this.emit({ type: 'open' });
      const parser = new EventStreamParser((event) => this.emit({ type: event.type, data: event.data }));
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.closed) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      this.fail('The event stream ended');
    } catch (error) {
      this.fail(`The event stream failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
