import { describe, expect, it } from 'vitest';
import { decodeJson, frameJson } from './json-codec.js';
import { PreparedMessage } from './prepared-message.js';

const valid = { id: 'a1', type: 'request', action: 'echo', data: { x: 1 }, timestamp: 1.5 };

describe('decodeJson', () => {
  it('accepts a valid envelope and defaults session_id to ""', () => {
    const r = decodeJson(JSON.stringify(valid));
    expect(r).toEqual({ ok: true, envelope: { ...valid, session_id: '' } });
  });

  it.each([
    ['not json', 'bad_frame', undefined],
    ['[1]', 'bad_frame', undefined],
    ['null', 'bad_frame', undefined],
    ['"text"', 'bad_frame', undefined],
    [JSON.stringify({ ...valid, id: 7 }), 'bad_envelope', undefined],
    [JSON.stringify({ ...valid, id: '' }), 'bad_envelope', undefined],
    [JSON.stringify({ ...valid, id: 'x'.repeat(129) }), 'bad_envelope', undefined],
    [JSON.stringify({ ...valid, type: 'shout' }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, action: undefined }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, action: '' }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, data: [1] }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, data: null }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, timestamp: '1' }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, seq: -1 }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, seq: 1.5 }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, seq: 0 }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, session_id: 5 }), 'bad_envelope', 'a1'],
    [JSON.stringify({ ...valid, ack: -3 }), 'bad_envelope', 'a1'],
  ])('rejects %s as %s', (text, code, replyTo) => {
    const r = decodeJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.replyTo).toBe(replyTo);
    }
  });

  it('accepts an ack of 0 (acknowledges nothing) but not a seq of 0', () => {
    expect(decodeJson(JSON.stringify({ ...valid, ack: 0 })).ok).toBe(true);
    expect(decodeJson(JSON.stringify({ ...valid, seq: 1 })).ok).toBe(true);
  });

  it('allows an empty action on an ack', () => {
    expect(decodeJson(JSON.stringify({ ...valid, type: 'ack', action: '', data: { seq: 3 } })).ok).toBe(true);
  });
});

describe('frameJson', () => {
  it('splices seq and session_id in front of the shared body, which is serialised once', () => {
    const message = new PreparedMessage({ id: 'n1', type: 'notification', action: 'chat', data: { t: 'hi' }, timestamp: 2 });
    const a = JSON.parse(frameJson(message, 'S1', 7));
    const b = JSON.parse(frameJson(message, 'S"2', 8));
    expect(a).toEqual({ seq: 7, session_id: 'S1', id: 'n1', type: 'notification', action: 'chat', data: { t: 'hi' }, timestamp: 2 });
    expect(b.session_id).toBe('S"2');
    expect(JSON.parse(frameJson(message, 'S1', 9, 4))).toMatchObject({ seq: 9, ack: 4, session_id: 'S1' });
    expect(message.jsonTail()).toBe(message.jsonTail());
  });
});
