import type { DuplexClient } from '../../lib/client/index.js';
import type { DuplexModuleOptions, ProtocolType } from '../../lib/index.js';
import { GrpcTransport } from '../../lib/transports/grpc/grpc.transport.js';
import type { TestApp } from './test-app.js';

type ClientOptions = ConstructorParameters<typeof DuplexClient>[0];

/** The transports every behavioural suite runs over. A new transport joins with one entry. */
export interface TransportCase {
  name: string;
  protocolType: ProtocolType;
  /** Server options that serve this transport (merged into the suite's own). */
  server: DuplexModuleOptions;
  /** The port of `app` a client of this transport connects to. */
  port(app: TestApp): number;
  /** Client options reaching `port` on loopback (directly or through a proxy), with a fixture token. */
  client(port: number, token?: string): ClientOptions;
}

export const TRANSPORTS: TransportCase[] = [
  {
    name: 'websocket',
    protocolType: 'websocket',
    server: {},
    port: (app) => app.port,
    client: (port, token) => ({ serverUrl: `http://127.0.0.1:${port}`, protocolType: 'websocket', ...(token === undefined ? {} : { query: { token } }) }),
  },
  {
    name: 'grpc',
    protocolType: 'grpc',
    server: { protocols: ['websocket', 'grpc'], grpc: { url: '127.0.0.1:0' } },
    port: (app) => app.app.get(GrpcTransport).port!,
    client: (port, token) => ({
      serverUrl: `grpc://127.0.0.1:${port}`,
      protocolType: 'grpc',
      grpc: { address: `127.0.0.1:${port}`, ...(token === undefined ? {} : { metadata: { token } }) },
    }),
  },
  ...(['sse', 'long-polling'] as const).map(
    (protocolType): TransportCase => ({
      name: protocolType,
      protocolType,
      // An HTTP session counts as connected for heartbeat interval + timeout after its last poll or stream.
      server: { protocols: ['websocket', 'sse', 'long-polling'], heartbeat: { intervalMs: 300, timeoutMs: 300 } },
      port: (app) => app.port,
      client: (port, token) => ({ serverUrl: `http://127.0.0.1:${port}`, protocolType, ...(token === undefined ? {} : { query: { token } }) }),
    }),
  ),
];
