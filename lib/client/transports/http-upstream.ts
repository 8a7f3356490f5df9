/**
 * The client's way up over HTTP: `POST {prefix}/messages`, one request at a time — the server
 * answers once it has accepted a batch (its seqs checked and recorded; handlers run on), and two
 * batches racing could reach it out of seq order — each carrying everything queued meanwhile, up
 * to the server's `max_payload` bytes.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import { CloseCode } from '../close-codes.js';
import type { LinkCloseInfo } from './client-transport.js';
import { linkEnd, networkError } from './http-answers.js';
import type { FetchLike } from './http-like.js';

export interface UpstreamHooks {
  /** One unsequenced reply (a heartbeat echo, an `ack`, a frame error, the goodbye's answer). */
  reply(envelope: Record<string, unknown>): void;
  /** The way up failed: the link ends (what was in flight is resent after the resume). */
  failed(error: DuplexError, close: LinkCloseInfo): void;
}

export interface UpstreamSettings {
  fetch: FetchLike;
  url: string;
  headers: Record<string, string>;
  maxPayload: number;
  signal: AbortSignal;
}

/** UTF-8 length of `text`, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 units
      i++;
    } else if (c >= 0x800) bytes += 2;
    else if (c >= 0x80) bytes += 1;
  }
  return bytes;
}

export class HttpUpstream {
  private queue: string[] = [];
  private pumping = false;

  constructor(
    private readonly settings: UpstreamSettings,
    private readonly hooks: UpstreamHooks,
  ) {}

  send(text: string): void {
    this.queue.push(text);
    if (this.pumping) return;
    this.pumping = true;
    // Whatever the client writes in this turn goes in the same request.
    queueMicrotask(() => void this.pump());
  }

  private async pump(): Promise<void> {
    const { fetch, url, headers, signal } = this.settings;
    while (this.queue.length > 0) {
      if (signal.aborted) return;
      const batch = this.take();
      const body = batch.length === 1 ? batch[0]! : `[${batch.join(',')}]`;
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, { method: 'POST', headers, body, signal, cache: 'no-store' });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (!signal.aborted) this.hooks.failed(networkError(error, 'POST /messages'), { code: CloseCode.ABNORMAL, reason: 'POST /messages failed' });
        return;
      }
      if (signal.aborted) return;
      if (status !== 200) {
        const { error, close } = linkEnd(status, text, 'POST /messages');
        this.hooks.failed(error, close);
        return;
      }
      if (!this.answer(text)) return;
    }
    this.pumping = false;
  }

  /** Hands the replies over; false (the link ends) when the body is not a JSON array. */
  private answer(text: string): boolean {
    let replies: unknown;
    try {
      replies = JSON.parse(text);
    } catch {
      replies = undefined;
    }
    if (!Array.isArray(replies)) {
      const error = new DuplexError(ErrorCode.BAD_FRAME, 'POST /messages was not answered with a JSON array');
      this.hooks.failed(error, { code: CloseCode.POLICY, reason: error.message });
      return false;
    }
    for (const reply of replies) {
      if (this.settings.signal.aborted) return false;
      if (typeof reply === 'object' && reply !== null) this.hooks.reply(reply as Record<string, unknown>);
    }
    return true;
  }

  /** The next batch: the oldest frame, then as many as fit in `max_payload` with the array's brackets and commas. */
  private take(): string[] {
    const first = this.queue.shift()!;
    const batch = [first];
    let bytes = 2 + utf8Length(first);
    while (this.queue.length > 0) {
      const next = utf8Length(this.queue[0]!) + 1;
      if (bytes + next > this.settings.maxPayload) break;
      bytes += next;
      batch.push(this.queue.shift()!);
    }
    return batch;
  }
}
