/**
 * Reads `text/event-stream` (the HTML standard's "event stream interpretation") from decoded
 * chunks: lines end at CRLF, LF or CR; `data` lines join with LF; a blank line dispatches; lines
 * starting with `:` are comments (keep-alives); `retry` is ignored (the client reconnects itself).
 */
export interface StreamEvent {
  /** `event:`, default `message`. */
  type: string;
  data: string;
  /** The last `id:` seen on the stream so far. */
  lastEventId: string;
}

export class EventStreamParser {
  private pending = '';
  private started = false;
  private data: string[] = [];
  private type = '';
  private lastEventId = '';

  constructor(private readonly onEvent: (event: StreamEvent) => void) {}

  push(chunk: string): void {
    let text = this.pending + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A CR at the end of a chunk may be half of a CRLF: wait for the next chunk to tell.
      if (c === 13 && i + 1 === text.length) break;
      this.line(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.pending = text.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
  }

  private dispatch(): void {
    const type = this.type || 'message';
    this.type = '';
    if (this.data.length === 0) return;
    const data = this.data.join('\n');
    this.data = [];
    this.onEvent({ type, data, lastEventId: this.lastEventId });
  }
}
