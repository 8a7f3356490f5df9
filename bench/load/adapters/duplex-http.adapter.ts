/**
 * nest-duplex over its HTTP transports (docs/protocol.md §2c), speaking the protocol directly as
 * the WebSocket adapter does (DuplexLoadSession, duplex-text-frames.ts): the hello is
 * `POST /duplex/session`, everything after it goes up by `POST /duplex/messages` (one at a time,
 * batched, as the real client), and what the server sends comes down `GET /duplex/sse` (a stream)
 * or `GET /duplex/poll?cursor=N` (held until there is something). Over long-polling the cursor is
 * the ack, so no bare ack goes up (as the real client); over SSE acks go up by POST.
 */
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';
import { DuplexLoadSession, type InboundFrame } from './duplex-session.js';
import { textFrames } from './duplex-text-frames.js';
import { readEventStream } from './event-stream.js';
import { fetchFailure, Upstream } from './http-upstream.js';

interface Frame extends InboundFrame {
  data?: Record<string, unknown>;
}

interface WelcomeData {
  session_id?: string;
  resume_token?: string;
}

export type DuplexHttpTransport = 'sse' | 'long-polling';

export function duplexHttpAdapter(transport: DuplexHttpTransport, prefix = '/duplex'): ClientAdapter {
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        const base = `http://127.0.0.1:${port}${prefix}`;
        const abort = new AbortController();
        let closing = false;
        let upstream: Upstream | undefined;
        let cursor = 0;
        const ended = (why: string): void => {
          session.stop();
          if (!session.isWelcomed) reject(new Error(why));
          else if (!closing) sink.onUnexpectedClose(why);
          abort.abort();
        };
        const receive = (frame: Frame): void => {
          if (typeof frame.seq === 'number' && frame.seq > cursor) cursor = frame.seq;
          session.receive(frame, () => frame.data);
        };
        const replies = (status: number, body: string): void => {
          if (status !== 200) {
            if (!closing) sink.onError(`POST /messages ${status}: ${body.slice(0, 160)}`);
            return;
          }
          for (const frame of JSON.parse(body) as Frame[]) receive(frame);
        };
        const session = new DuplexLoadSession(
          textFrames(
            (text) => (upstream ? upstream.send(text) : void hello(text)),
            () => upstream !== undefined && !abort.signal.aborted,
            // The poll's cursor acknowledges (§2c): the real client sends no bare ack over long-polling.
            transport === 'long-polling' ? () => undefined : undefined,
          ),
          sink,
          () => undefined, // connected once the way down answered (below)
          (why) => ended(why),
        );

        async function hello(text: string): Promise<void> {
          let welcome: Frame;
          try {
            const response = await fetch(`${base}/session?transport=${transport}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: text,
              signal: abort.signal,
            });
            const body = await response.text();
            if (response.status !== 200) return ended(`POST /session ${response.status}: ${body.slice(0, 160)}`);
            welcome = JSON.parse(body) as Frame;
          } catch (error) {
            return ended(`POST /session failed: ${fetchFailure(error)}`);
          }
          const data = (welcome.data ?? {}) as WelcomeData;
          const headers = {
            'content-type': 'application/json',
            'x-duplex-session': data.session_id ?? '',
            'x-duplex-token': data.resume_token ?? '',
          };
          upstream = new Upstream(`${base}/messages?transport=${transport}`, headers, abort.signal, {
            join: (batch) => (batch.length === 1 ? batch[0]! : `[${batch.join(',')}]`),
            answered: replies,
            failed: (error) => ended(`POST /messages failed: ${fetchFailure(error)}`),
          });
          receive(welcome);
          if (!session.isWelcomed) return;
          if (transport === 'sse') void stream(headers);
          else void poll(headers);
        }

        async function stream(headers: Record<string, string>): Promise<void> {
          try {
            const response = await fetch(`${base}/sse?cursor=${cursor}`, { headers, signal: abort.signal });
            if (response.status !== 200 || !response.body) return ended(`GET /sse ${response.status}: ${(await response.text()).slice(0, 160)}`);
            resolve(connection);
            await readEventStream(response.body, (event, data) => {
              if (event === 'close') return ended(`sse close ${data.slice(0, 160)}`);
              let frame: Frame;
              try {
                frame = JSON.parse(data) as Frame;
              } catch {
                return sink.onError('sse data is not JSON');
              }
              receive(frame);
            });
            ended('sse stream ended');
          } catch (error) {
            if (!abort.signal.aborted) ended(`GET /sse failed: ${fetchFailure(error)}`);
          }
        }

        async function poll(headers: Record<string, string>): Promise<void> {
          // The first poll answers at once: the client is connected when the way down answered (as the real client).
          let wait = '&wait_ms=0';
          while (!abort.signal.aborted) {
            let status: number;
            let body: string;
            try {
              const response = await fetch(`${base}/poll?cursor=${cursor}${wait}`, { headers, signal: abort.signal });
              status = response.status;
              body = await response.text();
            } catch (error) {
              if (!abort.signal.aborted) ended(`GET /poll failed: ${fetchFailure(error)}`);
              return;
            }
            if (status !== 200) return ended(`GET /poll ${status}: ${body.slice(0, 160)}`);
            if (wait) resolve(connection);
            wait = '';
            let frames: Frame[];
            try {
              frames = JSON.parse(body) as Frame[];
            } catch {
              return ended('poll answer is not JSON');
            }
            for (const frame of frames) receive(frame);
          }
        }

        const connection: LoadConnection = {
          echo: (done) => session.echo(done),
          async close() {
            closing = true;
            // The goodbye ends the session; its answer comes back on the POST.
            if (upstream && !abort.signal.aborted) {
              session.bye();
              await upstream.idle();
            }
            session.stop();
            abort.abort();
          },
          destroy() {
            closing = true;
            session.stop();
            abort.abort();
          },
        };
        session.hello();
      });
    },
  };
}
