import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ProtocolType } from '../envelope/envelope.js';
import { handshakeFromRequest, requestPath } from './http-handshake.js';

function request(url: string): IncomingMessage {
  return { url, headers: { host: 'example' }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

describe('handshakeFromRequest', () => {
  it('builds the query without a prototype: absent keys are undefined, not Object.prototype members', () => {
    const { query } = handshakeFromRequest(request('/duplex?token=demo'), ProtocolType.WEBSOCKET);
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(query.constructor).toBeUndefined();
    expect(query.toString).toBeUndefined();
    expect(query.hasOwnProperty).toBeUndefined();
    expect(query.__proto__).toBeUndefined();
    expect(query.token).toBe('demo');
  });

  it('keeps __proto__ and constructor as plain keys', () => {
    const { query } = handshakeFromRequest(request('/duplex?__proto__=x&constructor=y'), ProtocolType.WEBSOCKET);
    expect(Object.keys(query).sort()).toEqual(['__proto__', 'constructor']);
    expect(query.__proto__).toBe('x');
    expect(query.constructor).toBe('y');
    expect(Object.getPrototypeOf(query)).toBeNull();
  });

  it('gives a repeated key all its values, in order', () => {
    const { query } = handshakeFromRequest(request('/duplex?a=1&b=2&a=3'), ProtocolType.WEBSOCKET);
    expect(query.a).toEqual(['1', '3']);
    expect(query.b).toBe('2');
  });

  it('passes transport, headers and remote address through', () => {
    const handshake = handshakeFromRequest(request('/duplex'), ProtocolType.WEBSOCKET);
    expect(handshake).toMatchObject({ transport: ProtocolType.WEBSOCKET, headers: { host: 'example' }, remoteAddress: '127.0.0.1' });
    expect(Object.keys(handshake.query)).toEqual([]);
  });
});

describe('requestPath', () => {
  it('drops the query', () => {
    expect(requestPath(request('/duplex?token=x'))).toBe('/duplex');
    expect(requestPath(request('/duplex'))).toBe('/duplex');
  });
});
