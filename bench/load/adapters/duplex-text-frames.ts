/**
 * The nest-duplex frames as JSON text, built by hand (the payload is pre-serialised, as the real
 * client's would be): what the WebSocket adapter sends as text frames and the HTTP adapters POST.
 */
import { ECHO_TEXT } from '../../lib/payload.js';
import type { DuplexFrames } from './duplex-session.js';

const stamp = (): number => Date.now() / 1000;

/** `send` takes one envelope's text; `ack` may be left to the caller (long-polling acks with its cursor). */
export function textFrames(send: (text: string) => void, writable: () => boolean, ack?: DuplexFrames['ack']): DuplexFrames {
  let session = '""';
  return {
    writable,
    welcomed(sessionId) {
      session = JSON.stringify(sessionId);
    },
    hello(id) {
      send(`{"id":"${id}","type":"request","action":"$hello","data":{},"timestamp":${stamp()},"session_id":""}`);
    },
    ack:
      ack ??
      ((id, seq) => {
        send(`{"id":"${id}","type":"ack","action":"","data":{"seq":${seq}},"timestamp":${stamp()},"session_id":${session}}`);
      }),
    heartbeatAnswer(id, replyTo) {
      send(
        `{"id":"${id}","type":"heartbeat","action":"","data":{},"timestamp":${stamp()},"session_id":${session},"reply_to":${JSON.stringify(replyTo)}}`,
      );
    },
    echo(id, seq, ack) {
      send(
        `{"id":"${id}","type":"request","action":"echo","data":${ECHO_TEXT},"timestamp":${stamp()},"session_id":${session},"seq":${seq}${ack === undefined ? '' : `,"ack":${ack}`}}`,
      );
    },
    unknownAction(id, action, replyTo, seq) {
      send(
        `{"id":"${id}","type":"error","action":${JSON.stringify(action)},"data":{"code":"unknown_action","message":"no handler"},"timestamp":${stamp()},"session_id":${session},"reply_to":${JSON.stringify(replyTo)},"seq":${seq}}`,
      );
    },
    bye(id) {
      send(`{"id":"${id}","type":"request","action":"$bye","data":{},"timestamp":${stamp()},"session_id":${session}}`);
    },
  };
}
