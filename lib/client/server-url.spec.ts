import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from './client-options.js';
import { buildServerUrl } from './server-url.js';

describe('buildServerUrl', () => {
  it('maps http(s) to ws(s) and appends the path when there is none', () => {
    expect(buildServerUrl('http://localhost:3000', '/duplex', undefined)).toBe('ws://localhost:3000/duplex');
    expect(buildServerUrl('https://example.com/', '/duplex', undefined)).toBe('wss://example.com/duplex');
    expect(buildServerUrl('ws://h:1', 'rt', undefined)).toBe('ws://h:1/rt');
  });

  it('keeps a path that is there, and the query, adding `query`', () => {
    expect(buildServerUrl('wss://h/custom?a=1', '/duplex', { token: 'x y', n: 2 })).toBe('wss://h/custom?a=1&token=x+y&n=2');
    expect(buildServerUrl('http://h:80/?a=1', '/duplex', { a: 2 })).toBe('ws://h/duplex?a=2');
  });

  it('refuses other schemes and relative URLs', () => {
    expect(() => buildServerUrl('ftp://h', '/duplex', undefined)).toThrow(/http:\/\/, https:\/\//);
    expect(() => buildServerUrl('/duplex', '/duplex', undefined)).toThrow(/absolute URL/);
  });
});

describe('resolveClientOptions', () => {
  it('fills the defaults', () => {
    const options = resolveClientOptions({ serverUrl: 'http://h:1' });
    expect(options).toMatchObject({
      url: 'ws://h:1/duplex',
      protocolType: 'websocket',
      requestTimeoutMs: 10_000,
      reconnect: { baseMs: 500, maxMs: 10_000, maxAttempts: Infinity, enabled: true },
      outboxMaxMessages: 1000,
    });
  });

  it('names the option that is wrong', () => {
    expect(() => resolveClientOptions({ serverUrl: 'http://h', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', reconnect: { maxAttempts: -1 } })).toThrow(/maxAttempts/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', protocolType: 'sse' })).toThrow(/protocolType/);
  });
});
