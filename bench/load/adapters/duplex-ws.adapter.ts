/**
 * nest-duplex over WebSocket, speaking docs/protocol.md directly (DuplexClient is too heavy for
 * thousands of connections in one generator). It does what the real client does on the wire:
 * `$hello` and wait for the welcome, number its requests with a client `seq`, answer heartbeats,
 * and send cumulative acks no later than `ack.interval_ms` after an un-acked message or as soon
 * as `ack.max_messages` are un-acked — or, as the real client does, piggybacked on its next request. It keeps no outbox: the bench never resumes.
 */
import WebSocket from 'ws';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';

interface Frame {
  id?: string;
  type?: string;
  action?: string;
  data?: Record<string, unknown>;
  reply_to?: string;
  seq?: number;
  session_id?: string;
}

interface Welcome {
  session_id: string;
  ack?: { interval_ms?: number; max_messages?: number };
}

const stamp = (): number => Date.now() / 1000;

export function duplexWsAdapter(path = '/duplex'): ClientAdapter {
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
        const pending = new Map<string, () => void>();
        let closing = false;
        let welcomed = false;
        let sessionJson = '""';
        let nextId = 0;
        let clientSeq = 0;
        let lastSeq = 0;
        let unacked = 0;
        let ackIntervalMs = 50;
        let ackMaxMessages = 32;
        let ackTimer: NodeJS.Timeout | undefined;

        const sendAck = (): void => {
          if (ackTimer) clearTimeout(ackTimer);
          ackTimer = undefined;
          unacked = 0;
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(
            `{"id":"a${++nextId}","type":"ack","action":"","data":{"seq":${lastSeq}},"timestamp":${stamp()},"session_id":${sessionJson}}`,
          );
        };
        /** As the real client's AckScheduler: duplicates count too (they mean our last ack was lost). */
        const noteSequenced = (seq: number): void => {
          if (seq > lastSeq + 1) sink.onError(`seq jumped from ${lastSeq} to ${seq}`);
          if (seq > lastSeq) lastSeq = seq;
          unacked++;
          if (unacked >= ackMaxMessages) sendAck();
          else if (!ackTimer) ackTimer = setTimeout(sendAck, ackIntervalMs);
        };

        ws.on('message', (raw: Buffer) => {
          let frame: Frame;
          try {
            frame = JSON.parse(raw.toString()) as Frame;
          } catch {
            sink.onError('frame is not JSON');
            return;
          }
          if (!welcomed) {
            if (frame.type === 'response' && frame.action === '$hello') {
              const welcome = frame.data as unknown as Welcome;
              welcomed = true;
              sessionJson = JSON.stringify(welcome.session_id);
              ackIntervalMs = welcome.ack?.interval_ms ?? ackIntervalMs;
              ackMaxMessages = welcome.ack?.max_messages ?? ackMaxMessages;
              resolve(connection);
            } else {
              reject(new Error(`expected the welcome, got ${raw.toString().slice(0, 200)}`));
              ws.terminate();
            }
            return;
          }
          if (typeof frame.seq === 'number') {
            const duplicate = frame.seq <= lastSeq;
            noteSequenced(frame.seq);
            if (duplicate) return;
          }
          switch (frame.type) {
            case 'response': {
              const done = frame.reply_to === undefined ? undefined : pending.get(frame.reply_to);
              if (done) {
                pending.delete(frame.reply_to!);
                done();
              }
              break;
            }
            case 'notification':
              sink.onBroadcast();
              break;
            case 'heartbeat':
              if (frame.reply_to === undefined) {
                ws.send(
                  `{"id":"h${++nextId}","type":"heartbeat","action":"","data":{},"timestamp":${stamp()},"session_id":${sessionJson},"reply_to":${JSON.stringify(frame.id)}}`,
                );
              }
              break;
            case 'error':
              sink.onError(`error envelope: ${JSON.stringify(frame.data).slice(0, 200)}`);
              if (frame.reply_to !== undefined) pending.delete(frame.reply_to);
              break;
            case 'request':
              // server-initiated requests are not part of the bench; answer as a client without handlers
              ws.send(
                `{"id":"r${++nextId}","type":"error","action":${JSON.stringify(frame.action ?? '')},"data":{"code":"unknown_action","message":"no handler"},"timestamp":${stamp()},"session_id":${sessionJson},"reply_to":${JSON.stringify(frame.id)},"seq":${++clientSeq}}`,
              );
              break;
            default:
              break; // acks from the server: the bench keeps no outbox to trim
          }
        });
        ws.once('error', (err) => reject(err));
        ws.on('error', () => undefined);
        ws.once('close', (code) => {
          if (ackTimer) clearTimeout(ackTimer);
          ackTimer = undefined;
          if (!welcomed) reject(new Error(`closed (${code}) before the welcome`));
          else if (!closing) sink.onUnexpectedClose(`ws close ${code}`);
        });
        ws.once('open', () => {
          ws.send(`{"id":"c${++nextId}","type":"request","action":"$hello","data":{},"timestamp":${stamp()},"session_id":""}`);
        });

        const connection: LoadConnection = {
          echo(done) {
            const id = `c${++nextId}`;
            pending.set(id, done);
            // As the real client: every sequenced frame carries the cumulative ack, so no ack is owed.
            const ack = lastSeq > 0 ? `,"ack":${lastSeq}` : '';
            if (lastSeq > 0) {
              if (ackTimer) clearTimeout(ackTimer);
              ackTimer = undefined;
              unacked = 0;
            }
            ws.send(
              `{"id":"${id}","type":"request","action":"echo","data":${ECHO_TEXT},"timestamp":${stamp()},"session_id":${sessionJson},"seq":${++clientSeq}${ack}}`,
            );
          },
          close() {
            closing = true;
            if (ackTimer) clearTimeout(ackTimer);
            ackTimer = undefined;
            return new Promise((done) => {
              if (ws.readyState === WebSocket.CLOSED) return done();
              ws.once('close', () => done());
              // The goodbye ends the session (protocol v2), as DuplexClient.disconnect() does: the server
              // answers it and closes with 1000. A bare close would leave the session queueing for its TTL.
              ws.send(`{"id":"bye","type":"request","action":"$bye","data":{},"timestamp":${stamp()},"session_id":${sessionJson}}`);
              setTimeout(() => ws.close(1000), 2000).unref();
            });
          },
          destroy() {
            closing = true;
            ws.terminate();
          },
        };
      });
    },
  };
}
