/** A raw HTTP client of the long-poll/SSE transport for the wire suites: fetch (undici) only, every wait with a deadline. */
import { type Frame, FrameQueue } from './frame-queue.js';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export function envelope(id: string, type: string, action: string, data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Frame {
  return { id, type, action, data, timestamp: Date.now() / 1000, session_id: '', ...extra };
}

async function answer<T>(response: Response): Promise<HttpAnswer<T>> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test looks at `text`
  }
  return { status: response.status, headers: response.headers, text, body: body as T };
}

/** POSTs `body` (serialised unless a string) as JSON, or with the given content type. */
export async function postJson<T = Frame[]>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return answer<T>(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload }));
}

export async function getJson<T = Frame[]>(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpAnswer<T>> {
  return answer<T>(await fetch(url, { headers, signal }));
}

/** One session opened with POST {base}/session. */
export class HttpPeer {
  private constructor(
    readonly base: string,
    readonly welcome: Frame,
  ) {}

  static async open(base: string, hello: Frame | undefined = envelope('hello', 'request', '$hello'), query = ''): Promise<HttpPeer> {
    const opened = await postJson<Frame>(`${base}/session${query}`, hello ?? '', hello === undefined ? { 'content-type': '' } : {});
    if (opened.status !== 200) throw new Error(`POST /session answered ${opened.status}: ${opened.text}`);
    return new HttpPeer(base, opened.body);
  }

  get id(): string {
    return this.welcome.data!.session_id as string;
  }

  get token(): string {
    return this.welcome.data!.resume_token as string;
  }

  get proof(): Record<string, string> {
    return { 'x-duplex-session': this.id, 'x-duplex-token': this.token };
  }

  post(body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<Frame[]>> {
    return postJson(`${this.base}/messages`, body, { ...this.proof, ...headers });
  }

  poll(cursor: number, waitMs: number, signal?: AbortSignal): Promise<HttpAnswer<Frame[]>> {
    return getJson(`${this.base}/poll?cursor=${cursor}&wait_ms=${waitMs}`, this.proof, signal);
  }

  sse(query = '', headers: Record<string, string> = {}): Promise<SseReader> {
    const proof = `session_id=${encodeURIComponent(this.id)}&token=${encodeURIComponent(this.token)}`;
    return SseReader.open(`${this.base}/sse?${proof}${query}`, headers);
  }
}

export interface SseEvent {
  event: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** An event stream read with fetch, parsed into events; `next` waits for a matching one. */
export class SseReader {
  readonly events = new FrameQueue();
  /** Settles when the server ended the stream (or it was aborted). */
  readonly ended: Promise<void>;

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.ended = this.read();
  }

  static async open(url: string, headers: Record<string, string>): Promise<SseReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    return new SseReader(response, controller);
  }

  /** The next event of kind `event` (a sequenced or control envelope when 'message'), parsed. */
  async next(event = 'message', timeoutMs = 5000): Promise<SseEvent & { envelope?: Frame }> {
    const frame = (await this.events.next((f) => f.event === event, timeoutMs)) as unknown as SseEvent;
    return { ...frame, ...(event === 'message' && frame.data !== undefined ? { envelope: JSON.parse(frame.data) as Frame } : {}) };
  }

  close(): void {
    this.controller.abort();
  }

  private async read(): Promise<void> {
    if (this.response.body === null) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of this.response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          this.parse(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
  }

  private parse(block: string): void {
    const event: SseEvent = { event: 'message' };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        event.event = 'comment';
        event.comment = line.slice(1).trim();
        continue;
      }
      const colon = line.indexOf(':');
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
      else if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
    }
    this.events.push(event as unknown as Frame);
  }
}
