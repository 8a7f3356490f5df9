import { describe, expect, it } from 'vitest';
import { type DuplexClientOptions, resolveClientOptions } from './client-options.js';
import { httpUrl, parseServerUrl, websocketUrl } from './server-url.js';
import { httpEndpoints } from './transports/http-endpoints.js';
import { DuplexClient } from './duplex-client.js';

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

describe('HTTP endpoints', () => {
  it('hang under the prefix on the base, keep the URL query, and add their own parameters (the query option only where a session opens)', () => {
    expect(httpUrl(parseServerUrl('https://example.com/api/?k=1'), '/duplex/poll', { token: 't' }, { cursor: 3 })).toBe(
      'https://example.com/api/duplex/poll?k=1&token=t&cursor=3',
    );
    const endpoints = httpEndpoints(resolveClientOptions({ serverUrl: 'http://h:1', query: { token: 'a b' }, http: { path: '/rt' } }).transportOptions);
    expect(endpoints.base).toBe('http://h:1/rt');
    expect(endpoints.session('sse')).toBe('http://h:1/rt/session?token=a+b&transport=sse');
    expect(endpoints.messages('sse')).toBe('http://h:1/rt/messages?transport=sse');
    expect(endpoints.poll(7, undefined)).toBe('http://h:1/rt/poll?cursor=7');
    expect(endpoints.poll(7, 0)).toBe('http://h:1/rt/poll?cursor=7&wait_ms=0');
    expect(endpoints.sse('s1', 'tok/en', 9)).toBe('http://h:1/rt/sse?session_id=s1&token=tok%2Fen&cursor=9');
  });

  it('are not made for a ws:// or grpc:// serverUrl', () => {
    expect(() => new DuplexClient({ serverUrl: 'grpc://h:1', protocolType: 'sse' })).toThrow(/"sse": .*serves only gRPC/);
    expect(() => new DuplexClient({ serverUrl: 'ws://h:1', protocolType: 'long-polling' })).toThrow(/"long-polling": .*serves only WebSocket/);
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
      negotiate: false,
      transportTimeoutMs: 2500,
      transportOptions: {
        websocket: { path: '/duplex', WebSocket: undefined },
        http: { path: '/duplex', fetch: undefined, EventSource: undefined, pollWaitMs: undefined },
        query: undefined,
      },
      requestTimeoutMs: 10_000,
      connectRetries: 0,
      reconnect: { baseMs: 500, maxMs: 10_000, maxAttempts: Infinity, enabled: true },
      outboxMaxMessages: 1000,
    });
    expect(options.transportOptions.server).toMatchObject({ websocketOnly: false });
  });

  it('takes the transports in order, protocolType as a one-item list, and auto as WebSocket, SSE, long-polling after negotiating', () => {
    const pick = (options: Partial<DuplexClientOptions>) => {
      const { transports, negotiate } = resolveClientOptions({ serverUrl: 'http://h', ...options });
      return { transports, negotiate };
    };
    expect(pick({ transports: ['sse', 'websocket'] })).toEqual({ transports: ['sse', 'websocket'], negotiate: false });
    expect(pick({ protocolType: 'long-polling' })).toEqual({ transports: ['long-polling'], negotiate: false });
    expect(pick({ protocolType: 'auto' })).toEqual({ transports: ['websocket', 'sse', 'long-polling'], negotiate: true });
  });

  it('defaults to auto in a browser page, to WebSocket elsewhere', () => {
    expect(resolveClientOptions({ serverUrl: 'http://h' }).transports).toEqual(['websocket']);
    const page = globalThis as { document?: unknown };
    page.document = {};
    try {
      expect(resolveClientOptions({ serverUrl: 'http://h' })).toMatchObject({ transports: ['websocket', 'sse', 'long-polling'], negotiate: true });
      expect(resolveClientOptions({ serverUrl: 'http://h', protocolType: 'websocket' }).transports).toEqual(['websocket']);
    } finally {
      delete page.document;
    }
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
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transportTimeoutMs: 0 })).toThrow(/transportTimeoutMs/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', http: { pollWaitMs: -5 } })).toThrow(/http\.pollWaitMs/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', protocolType: 'carrier-pigeon' as never })).toThrow(/protocolType.*"carrier-pigeon"/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: [] })).toThrow(/transports must be a non-empty list/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: ['websocket', 'websocket'] })).toThrow(/"websocket" twice/);
    expect(() => resolveClientOptions({ serverUrl: 'http://h', transports: ['websocket'], protocolType: 'websocket' })).toThrow(/either/);
  });
});
