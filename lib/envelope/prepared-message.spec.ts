import { describe, expect, it } from 'vitest';
import { PreparedMessage } from './prepared-message.js';

describe('PreparedMessage', () => {
  it('serialises once: the frame body and the data JSON come from one string', () => {
    const data = { text: 'héllo "quoted"', n: [1, 2], nested: { a: null } };
    const message = new PreparedMessage({ id: 'm1', type: 'response', action: 'echo', data, timestamp: 1.5, reply_to: 'r1' });
    expect(JSON.parse(`{${message.jsonTail()}`)).toEqual({ id: 'm1', type: 'response', action: 'echo', data, timestamp: 1.5, reply_to: 'r1' });
    expect(JSON.parse(message.dataJson())).toEqual(data);
    expect(message.jsonTail()).toContain(message.dataJson());
    expect(message.size).toBe(message.jsonTail().length);
  });

  it('parses the body once and keeps it', () => {
    const message = new PreparedMessage({ id: 'm', type: 'notification', action: 'a', data: { x: 1 }, timestamp: 0 });
    expect(message.body).toBe(message.body);
    expect(message.body.data).toEqual({ x: 1 });
  });

  it('refuses data that has no JSON form, and throws what JSON.stringify throws', () => {
    expect(() => new PreparedMessage({ id: 'm', type: 'notification', action: 'a', data: undefined as never, timestamp: 0 })).toThrow(TypeError);
    expect(() => new PreparedMessage({ id: 'm', type: 'notification', action: 'a', data: { n: 1n }, timestamp: 0 })).toThrow();
  });
});

describe('PreparedMessage.dataJson', () => {
  it('finds the data whatever the id, action, data and reply_to contain', () => {
    const tricky = ',"data":{"timestamp":1},"timestamp":2 "data": \\" \\"data\\":';
    const data = { a: tricky, ',"timestamp":': { '"data":': tricky }, list: [tricky] };
    const message = new PreparedMessage({ id: tricky, type: 'response', action: tricky, data, timestamp: 3, reply_to: tricky });
    expect(JSON.parse(message.dataJson())).toEqual(data);
    expect(JSON.parse(new PreparedMessage({ id: 'i', type: 'notification', action: 'a', data: {}, timestamp: 1e21 }).dataJson())).toEqual({});
  });
});

describe('PreparedMessage.fromJsonTail', () => {
  const same = (a: PreparedMessage, b: PreparedMessage): void => {
    expect({ id: b.id, type: b.type, action: b.action, timestamp: b.timestamp, replyTo: b.replyTo }).toEqual({
      id: a.id,
      type: a.type,
      action: a.action,
      timestamp: a.timestamp,
      replyTo: a.replyTo,
    });
    expect(b.jsonTail()).toBe(a.jsonTail());
    expect(b.dataJson()).toBe(a.dataJson());
    expect(b.size).toBe(a.size);
    expect(b.body).toEqual(a.body);
  };

  it('gives back the message its jsonTail() came from, with and without reply_to', () => {
    const data = { text: 'héllo "quoted" \u2028 😀', n: [1, 2.5, -3e-7], nested: { a: null, b: true } };
    same(
      new PreparedMessage({ id: 'm1', type: 'response', action: 'echo', data, timestamp: 1.5, reply_to: 'r1' }),
      PreparedMessage.fromJsonTail(new PreparedMessage({ id: 'm1', type: 'response', action: 'echo', data, timestamp: 1.5, reply_to: 'r1' }).jsonTail()),
    );
    const plain = new PreparedMessage({ id: 'm2', type: 'notification', action: 'tick', data: {}, timestamp: 1e21 });
    const back = PreparedMessage.fromJsonTail(plain.jsonTail());
    same(plain, back);
    expect(back.replyTo).toBeUndefined();
    expect('reply_to' in back.body).toBe(false);
  });

  it('reads the fields around the data whatever the id, action, data and reply_to contain', () => {
    const tricky = ',"data":{"timestamp":1},"timestamp":2 "data": \\" \\"data\\": ,"reply_to":"x"}';
    const data = { a: tricky, timestamp: 9, ',"timestamp":': { '"data":': tricky, reply_to: 'y' }, list: [tricky], data: { data: 1 } };
    const message = new PreparedMessage({ id: tricky, type: 'request', action: tricky, data, timestamp: 3.25, reply_to: tricky });
    same(message, PreparedMessage.fromJsonTail(message.jsonTail()));
  });

  it('does not parse the data: the tail is kept as given, the same string', () => {
    const tail = new PreparedMessage({ id: 'i', type: 'notification', action: 'a', data: { big: 'x'.repeat(4096) }, timestamp: 7 }).jsonTail();
    expect(PreparedMessage.fromJsonTail(tail).jsonTail()).toBe(tail);
  });

  it('refuses what is not the tail of a prepared message', () => {
    for (const bad of ['', '}', '"id":"i","type":"notification","action":"a","timestamp":1}', '"id":"i","type":"notification","action":"a","data":{}', '"id":1,"type":"notification","action":"a","data":{},"timestamp":1}', '"id":"i","type":"notification","action":"a","data":{},"timestamp":"1"}']) {
      expect(() => PreparedMessage.fromJsonTail(bad), bad).toThrow(SyntaxError);
    }
  });
});
