import { describe, expect, it } from 'vitest';
import { PreparedMessage } from '../../envelope/prepared-message.js';
import { type ConnectMethod, loadDuplexService } from './duplex-proto.js';
import { GrpcCodec } from './grpc-codec.js';

const connect = loadDuplexService().Connect as unknown as ConnectMethod;
const codec = new GrpcCodec(connect.responseSerialize);

describe('GrpcCodec', () => {
  it('encodes a broadcast the same for every recipient, first (whole) or later (shared part + own fields)', () => {
    const message = new PreparedMessage({ id: 'm1', type: 'response', action: 'echo', data: { text: 'hé', n: [1] }, timestamp: 12.5, reply_to: 'r1' });
    const decoded = [1, 2, 3].map((i) => connect.requestDeserialize(codec.encodeSequenced(message, `s${i}`, i, i === 2 ? 0 : 7)));
    for (const [i, d] of decoded.entries()) {
      expect(d).toMatchObject({ id: 'm1', type: 'response', action: 'echo', data_json: '{"text":"hé","n":[1]}', timestamp: 12.5, reply_to: 'r1', session_id: `s${i + 1}`, seq: i + 1 });
    }
    expect(decoded[0].ack).toBe(7);
    expect(decoded[1].ack ?? 0).toBe(0);
  });

  it('decodes proto3 defaults as absent fields and data_json "" as {}', () => {
    const result = codec.decode({ id: 'a', type: 'request', action: 'x', timestamp: 1, seq: 0, ack: 0, reply_to: '' });
    expect(result).toEqual({ ok: true, envelope: { id: 'a', type: 'request', action: 'x', data: {}, timestamp: 1, session_id: '' } });
  });

  it('answers data_json that is not a JSON object with bad_envelope and the id', () => {
    expect(codec.decode({ id: 'a', type: 'request', action: 'x', data_json: '[1]' })).toMatchObject({ ok: false, replyTo: 'a', error: { code: 'bad_envelope' } });
    expect(codec.decode({ id: 'b', type: 'request', action: 'x', data_json: '{' })).toMatchObject({ ok: false, replyTo: 'b', error: { code: 'bad_envelope' } });
  });
});
