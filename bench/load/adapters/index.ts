/** Every client adapter by id; bench/systems.ts names one per system. */
import { ECHO_DATA, ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter } from '../adapter.js';
import { duplexGrpcAdapter } from './duplex-grpc.adapter.js';
import { duplexHttpAdapter } from './duplex-http.adapter.js';
import { duplexWsAdapter } from './duplex-ws.adapter.js';
import { grpcAdapter } from './grpc.adapter.js';
import { rawHttpAdapter } from './http-raw.adapter.js';
import { netAdapter } from './net.adapter.js';
import { socketIoAdapter } from './socketio.adapter.js';
import { fifoWsAdapter } from './ws.adapter.js';

export const adapters: Record<string, () => ClientAdapter> = {
  net: () => netAdapter,
  ws: () => fifoWsAdapter('/', ECHO_TEXT),
  'nest-ws': () => fifoWsAdapter('/ws', JSON.stringify({ event: 'echo', data: ECHO_DATA })),
  'socketio-ws': () => socketIoAdapter('websocket'),
  'socketio-polling': () => socketIoAdapter('polling'),
  'duplex-ws': () => duplexWsAdapter('/duplex'),
  grpc: () => grpcAdapter,
  'duplex-grpc': () => duplexGrpcAdapter,
  'http-sse': () => rawHttpAdapter('sse'),
  'http-lp': () => rawHttpAdapter('long-polling'),
  'duplex-sse': () => duplexHttpAdapter('sse'),
  'duplex-lp': () => duplexHttpAdapter('long-polling'),
};
