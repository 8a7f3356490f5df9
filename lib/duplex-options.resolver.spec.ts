import { describe, expect, it } from 'vitest';
import { resolveDuplexOptions } from './duplex-options.resolver.js';

describe('resolveDuplexOptions', () => {
  it('takes { redis } as the options of a broker the module makes', () => {
    const o = resolveDuplexOptions({ broker: { redis: 'redis://127.0.0.1:6379', keyPrefix: 'x:' } });
    expect(o.broker).toBeUndefined();
    expect(o.redis).toEqual({ redis: 'redis://127.0.0.1:6379', keyPrefix: 'x:' });
  });

  it('applies the documented defaults', () => {
    const o = resolveDuplexOptions();
    expect([...o.protocols]).toEqual(['websocket']);
    expect(o.websocket).toEqual({ path: '/duplex', perMessageDeflate: false, highWaterMark: 1048576 });
    expect(o.maxPayload).toBe(1048576);
    expect(o.session).toEqual({ ttlMs: 120000, maxSessions: 100000 });
    expect(o.broker).toBeUndefined();
    expect(o.heartbeat).toEqual({ intervalMs: 25000, timeoutMs: 20000 });
    expect(o.session.ttlMs).toBe(120000);
    expect(o.authTimeoutMs).toBe(10000);
    expect(o.outbox).toMatchObject({ maxMessages: 10000, maxBytes: 8388608, replayBatch: 256 });
    expect(o.identify({ id: 7 })).toBe('7');
    expect(o.identify({ sub: 'u' })).toBe('u');
    expect(o.identify(null)).toBe('');
    expect(o.http).toEqual({ prefix: '/duplex', pollTimeoutMs: 25000, cors: false });
  });

  it('serves the HTTP transports, with CORS for any origin or a list', () => {
    expect([...resolveDuplexOptions({ protocols: ['sse', 'long-polling'] }).protocols]).toEqual(['sse', 'long-polling']);
    expect(resolveDuplexOptions({ http: { cors: true } }).http.cors).toBe('*');
    expect(resolveDuplexOptions({ http: { prefix: '/api/rt', cors: ['https://a.example:8443'] } }).http).toEqual({
      prefix: '/api/rt',
      pollTimeoutMs: 25000,
      cors: ['https://a.example:8443'],
    });
  });

  it.each([
    [{ heartbeat: { intervalMs: 0 } }, 'heartbeat.intervalMs'],
    [{ outbox: { maxMessages: -1 } }, 'outbox.maxMessages'],
    [{ websocket: { path: 'duplex' } }, 'websocket.path'],
    [{ session: { maxSessions: 0 } }, 'session.maxSessions'],
    [{ handshakeTimeoutMs: 2 ** 31 }, 'handshakeTimeoutMs'],
    [{ session: { ttlMs: 2 ** 31 } }, 'session.ttlMs'],
    [{ grpc: { url: 'no-port' } }, 'grpc.url'],
    [{ broker: {} }, 'broker'],
    [{ broker: { redis: 'http://nope' } }, 'broker'],
    [{ websocket: { maxPayload: 10 } }, 'websocket.maxPayload'],
    [{ protocols: ['carrier-pigeon'] }, 'protocols'],
    [{ protocols: [] }, 'protocols'],
    [{ session: { ttlMs: 1.5 } }, 'session.ttlMs'],
    [{ authenticate: 'yes' }, 'authenticate'],
    [{ authTimeoutMs: 0 }, 'authTimeoutMs'],
    [{ authTimeoutMs: 2 ** 31 }, 'authTimeoutMs'],
    [{ http: { prefix: 'duplex' } }, 'http.prefix'],
    [{ http: { prefix: '/duplex/' } }, 'http.prefix'],
    [{ http: { prefix: '/:id' } }, 'http.prefix'],
    [{ http: { pollTimeoutMs: 0 } }, 'http.pollTimeoutMs'],
    [{ http: { pollTimeoutMs: 60_001 } }, 'http.pollTimeoutMs'],
    [{ http: { cors: 'yes' } }, 'http.cors'],
    [{ http: { cors: ['app.example.com'] } }, 'http.cors'],
    [{ websocket: { perMessageDeflate: 'yes' } }, 'websocket.perMessageDeflate'],
  ])('names the bad option in %j', (options, name) => {
    expect(() => resolveDuplexOptions(options as never)).toThrow(`option "${name}"`);
  });

  it.each([
    [{ hearbeat: { intervalMs: 1000 } }, 'hearbeat', 'protocols, authenticate'],
    [{ heartbeat: { interval: 1000 } }, 'heartbeat.interval', 'intervalMs, timeoutMs'],
    [{ grpc: { keepalive: { time: 1 } } }, 'grpc.keepalive.time', 'timeMs, timeoutMs'],
    [{ session: { ttl: 5 } }, 'session.ttl', 'ttlMs, maxSessions'],
  ])('refuses the misspelt option in %j by name, with the known ones', (options, name, known) => {
    expect(() => resolveDuplexOptions(options as never)).toThrow(`unknown option "${name}"; the options at that level are ${known}`);
  });

  it.each([
    [{ redis: 'redis://127.0.0.1:6379', keyPrefx: 'a:' }, 'unknown option "keyPrefx"; the options are redis, keyPrefix, sweepIntervalMs, holdRenewMs, expiryGraceMs'],
    [{ redis: 'redis://127.0.0.1:6379', keyPrefix: '' }, 'option "keyPrefix" is ""'],
    [{ redis: 'redis://127.0.0.1:6379', sweepIntervalMs: -5 }, 'option "sweepIntervalMs" is -5'],
    [{ redis: 'redis://127.0.0.1:6379', expiryGraceMs: 2 ** 31 }, 'option "expiryGraceMs" is 2147483648'],
  ])('checks the options of a Redis broker it makes: %j', (broker, message) => {
    expect(() => resolveDuplexOptions({ broker } as never)).toThrow(`DuplexModule, option "broker": ${message}`);
  });

  it('does not look inside values taken as they are (a broker instance, functions)', () => {
    expect(() => resolveDuplexOptions({ broker: { redis: 'redis://127.0.0.1:6379', keyPrefix: 'x:', sweepIntervalMs: 5 } })).not.toThrow();
  });
});
