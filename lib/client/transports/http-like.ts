/**
 * The parts of `fetch` and `EventSource` the HTTP transports use, typed here so that the client's
 * declarations need neither the DOM library nor Node's: the browser's and Node 20's `fetch`, and
 * the browser's `EventSource`, satisfy them as they are.
 */

/** @publicApi */
export interface FetchInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  cache?: 'no-store';
}

/** @publicApi */
export interface ByteStreamReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/** @publicApi */
export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): ByteStreamReaderLike } | null;
  text(): Promise<string>;
}

/**
 * A `fetch`, e.g. `globalThis.fetch` or a wrapper of it.
 * @publicApi
 */
export type FetchLike = (url: string, init?: FetchInitLike) => Promise<FetchResponseLike>;

/** The fields the client reads from an EventSource's events. @publicApi */
export interface EventSourceEventLike {
  readonly type: string;
  readonly data?: unknown;
}

/** @publicApi */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void;
  close(): void;
}

/**
 * An EventSource constructor, e.g. the browser's `EventSource`.
 * @publicApi
 */
export type EventSourceConstructor = new (url: string) => EventSourceLike;
