import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from './client-options.js';
import { parseServerUrl, websocketUrl } from './server-url.js';

const ws = (serverUrl: string, path = '/duplex', query?: Record<string, string | number>): string =>
  websocketUrl(parseServerUrl(serverUrl), path, query);

describe('websocketUrl', () => {
  it('maps http(s) to ws(s) and appends the path to the base', () => {
    expect(ws('http://localhost:3000')).toBe('ws://localhost:3000/duplex');
    expect(ws('https://example.com/')).toBe('wss://example.com/duplex');
    expect(ws('https://example.com/api/', 'rt')).toBe('wss://example.com/api/rt');
    expect(ws('http://h:1/api')).toBe('ws://h:1/api/duplex');
  });

  it('uses a ws(s) URL as it is, adding the path only when it has none', () => {
    expect(ws('ws://h:1', 'rt')).toBe('ws://h:1/rt');
    expect(ws('wss://h/custom')).toBe('wss://h/custom');
  });

  it('keeps the query and adds `query`', () => {
    expect(ws('wss://h/custom?a=1', '/duplex', { token: 'x y', n: 2 })).toBe('wss://h/custom?a=1&token=x+y&n=2');
    expect(ws('http://h:80/?a=1#frag', '/duplex', { a: 2 })).toBe('ws://h/duplex?a=2');
  });

  it('refuses other schemes and relative URLs', () => {
    expect(() => parseServerUrl('ftp://h')).toThrow(/http:\/\/, https:\/\//);
    expect(() => parseServerUrl('/duplex')).toThrow(/absolute URL/);
  });
});

describe('a grpc:// serverUrl', () => {
  it('is a gRPC address and nothing else', () => {
    expect(parseServerUrl('grpc://localhost:50051')).toMatchObject({ grpcAddress: 'localhost:50051', websocketOnly: false });
    expect(parseServerUrl('grpc://[::1]:7')).toMatchObject({ grpcAddress: '[::1]:7' });
    expect(parseServerUrl('http://h:1')).toMatchObject({ grpcAddress: undefined });
    expect(() => parseServerUrl('grpc://localhost')).toThrow(/must name a host and a port/);
    expect(() => parseServerUrl('grpc://h:1/duplex')).toThrow(/no path or query/);
  });

  it('makes gRPC the default transport and gives it its address, unless grpc.address says otherwise', () => {
    const fromUrl = resolveClientOptions({ serverUrl: 'grpc://h:1' });
    expect([fromUrl.transports, fromUrl.transportOptions.grpc]).toEqual([['grpc'], { address: 'h:1', metadata: {}, credentials: undefined }]);
    expect(resolveClientOptions({ serverUrl: 'grpc://h:1', grpc: { address: 'other:2' } }).transportOptions.grpc.address).toBe('other:2');
    expect(resolveClientOptions({ serverUrl: 'http://h:1', grpc: { address: 'h:50051' } }).transports).toEqual(['websocket']);
    expect(resolveClientOptions({ serverUrl: 'http://h:1' }).transportOptions.grpc.address).toBeUndefined();
  });

  it('checks grpc.address and grpc.metadata', () => {
    const metadata = (m: Record<string, string>): Record<string, string> => resolveClientOptions({ serverUrl: 'grpc://h:1', grpc: { metadata: m } }).transportOptions.grpc.metadata;
    expect(metadata({ Authorization: 'Bearer x', 'x-a.b_c': '' })).toEqual({ authorization: 'Bearer x', 'x-a.b_c': '' });
    expect(() => metadata({ 'bad key': 'v' })).toThrow(/grpc\.metadata has a key .*"bad key"/);
    expect(() => metadata({ 'data-bin': 'v' })).toThrow(/"data-bin"/);
    expect(() => metadata({ token: 'é' })).toThrow(/grpc\.metadata\.token must be printable ASCII/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', grpc: { address: 'grpc://h:1' } })).toThrow(/grpc\.address must be "host:port"/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', grpc: { address: '' } })).toThrow(/grpc\.address/);
  });
});

describe('resolveClientOptions', () => {
  it('fills the defaults', () => {
    const options = resolveClientOptions({ serverUrl: 'http://h:1' });
    expect(options).toMatchObject({
      transports: ['websocket'],
      transportOptions: { websocket: { path: '/duplex', WebSocket: undefined }, query: undefined },
      requestTimeoutMs: 10_000,
      connectRetries: 0,
      reconnect: { baseMs: 500, maxMs: 10_000, maxAttempts: Infinity, enabled: true },
      outboxMaxMessages: 1000,
    });
    expect(options.transportOptions.server).toMatchObject({ websocketOnly: false });
  });

  it('takes the transports in order, protocolType as a one-item list, and auto as the default list', () => {
    expect(resolveClientOptions({ serverUrl: 'http://h', transports: ['sse', 'websocket'] }).transports).toEqual(['sse', 'websocket']);
    expect(resolveClientOptions({ serverUrl: 'http://h', protocolType: 'long-polling' }).transports).toEqual(['long-polling']);
    expect(resolveClientOptions({ serverUrl: 'http://h', protocolType: 'auto' }).transports).toEqual(['websocket']);
  });

  it('keeps the old top-level path and WebSocket as aliases of the websocket group, which wins', () => {
    class Fake {}
    const old = resolveClientOptions({ serverUrl: 'http://h', path: '/old', WebSocket: Fake as never });
    expect(old.transportOptions.websocket).toEqual({ path: '/old', WebSocket: Fake });
    const both = resolveClientOptions({ serverUrl: 'http://h', path: '/old', websocket: { path: '/new' } });
    expect(both.transportOptions.websocket.path).toBe('/new');
  });

  it('names the option that is wrong', () => {
    expect(() => resolveClientOptions({ serverUrl: 'http://h', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', reconnect: { maxAttempts: -1 } })).toThrow(/maxAttempts/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', connect: { retries: -1 } })).toThrow(/connect\.retries/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', protocolType: 'carrier-pigeon' as never })).toThrow(/protocolType.*"carrier-pigeon"/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: [] })).toThrow(/transports must be a non-empty list/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: ['websocket', 'websocket'] })).toThrow(/"websocket" twice/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: ['websocket'], protocolType: 'websocket' })).toThrow(/either/);
  });
});
