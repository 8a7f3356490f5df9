/**
 * The client of the raw `node:http` floor (servers/http.server.ts): `POST /session` for an id, the
 * way down by SSE or long-polling, echoes up by POST through the same batching Upstream as the
 * nest-duplex HTTP adapter. One POST at a time and one stream (or poll) keep the echoes in order,
 * so each echo line answers the oldest pending echo; a line that is not an echo is a broadcast.
 */
import { Fifo } from '../../lib/fifo.js';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';
import { readEventStream } from './event-stream.js';
import { fetchFailure, Upstream } from './http-upstream.js';

export type RawHttpTransport = 'sse' | 'long-polling';

export function rawHttpAdapter(transport: RawHttpTransport): ClientAdapter {
  return {
    async connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      const base = `http://127.0.0.1:${port}`;
      const abort = new AbortController();
      const pending = new Fifo<() => void>();
      let closing = false;
      const response = await fetch(`${base}/session`, { method: 'POST' });
      const id = await response.text();
      if (response.status !== 200) throw new Error(`POST /session ${response.status}`);
      const ended = (why: string): void => {
        if (!closing) sink.onUnexpectedClose(why);
        abort.abort();
      };
      const lines = (text: string): void => {
        for (const line of text.split('\n')) {
          if (line.startsWith('{"e"')) pending.shift()?.();
          else if (line) sink.onBroadcast();
        }
      };
      const headers = { 'content-type': 'text/plain', 'x-session': id };
      const upstream = new Upstream(`${base}/messages`, headers, abort.signal, {
        join: (batch) => batch.join('\n'),
        answered: (status) => status === 204 || sink.onError(`POST /messages ${status}`),
        failed: (error) => ended(`POST /messages failed: ${fetchFailure(error)}`),
      });

      const ready = new Promise<void>((resolve, reject) => {
        const fail = (why: string): void => {
          reject(new Error(why));
          ended(why);
        };
        if (transport === 'sse') {
          void (async () => {
            try {
              const stream = await fetch(`${base}/sse?id=${id}`, { signal: abort.signal });
              if (stream.status !== 200 || !stream.body) return fail(`GET /sse ${stream.status}`);
              resolve();
              await readEventStream(stream.body, (_event, data) => lines(data));
              ended('sse stream ended');
            } catch (error) {
              if (!abort.signal.aborted) fail(`GET /sse failed: ${fetchFailure(error)}`);
            }
          })();
          return;
        }
        void (async () => {
          let wait = '&wait=0';
          while (!abort.signal.aborted) {
            try {
              const poll = await fetch(`${base}/poll?id=${id}${wait}`, { signal: abort.signal });
              const body = await poll.text();
              if (poll.status !== 200) return fail(`GET /poll ${poll.status}`);
              if (wait) resolve();
              wait = '';
              lines(body);
            } catch (error) {
              if (!abort.signal.aborted) fail(`GET /poll failed: ${fetchFailure(error)}`);
              return;
            }
          }
        })();
      });
      await ready;

      return {
        echo(done) {
          pending.push(done);
          upstream.send(ECHO_TEXT);
        },
        async close() {
          closing = true;
          await upstream.idle();
          await fetch(`${base}/bye`, { method: 'POST', headers, signal: abort.signal }).then((r) => r.text(), () => undefined);
          abort.abort();
        },
        destroy() {
          closing = true;
          abort.abort();
        },
      };
    },
  };
}
