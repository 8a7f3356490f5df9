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
