import { describe, expect, it } from 'vitest';
import { type DuplexClientOptions, resolveClientOptions } from './client-options.js';
import { DuplexClient } from './duplex-client.js';

describe('client options', () => {
  it.each([
    [{ reconect: { baseMs: 1 } }, 'reconect', 'serverUrl, transports'],
    [{ reconnect: { base: 1 } }, 'reconnect.base', 'baseMs, maxMs, maxAttempts, enabled'],
    [{ http: { pollWait: 5 } }, 'http.pollWait', 'path, fetch, EventSource, pollWaitMs'],
  ])('refuse a misspelt option in %j by name, with the known ones', (extra, name, known) => {
    const options = { serverUrl: 'http://h:1', ...extra } as unknown as DuplexClientOptions;
    expect(() => resolveClientOptions(options)).toThrow(`Unknown option ${name}; the options at that level are ${known}`);
    expect(() => new DuplexClient(options)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it('take every documented option', () => {
    expect(() =>
      resolveClientOptions({
        serverUrl: 'http://h:1',
        transports: ['websocket', 'sse'],
        transportTimeoutMs: 100,
        websocket: { path: '/ws' },
        http: { path: '/rt', pollWaitMs: 1000 },
        grpc: { address: 'h:2', metadata: { token: 't' } },
        query: { token: 't' },
        requestTimeoutMs: 100,
        connect: { retries: 1 },
        reconnect: { baseMs: 1, maxMs: 2, maxAttempts: 3, enabled: true },
        heartbeat: { timeoutMs: 100 },
        outbox: { maxMessages: 10 },
        random: Math.random,
      }),
    ).not.toThrow();
  });
});
