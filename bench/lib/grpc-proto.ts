/**
 * proto/duplex.proto loaded the way every gRPC system of the bench loads it (the raw grpc-js
 * server, both gRPC client adapters), with the options of the nest-duplex gRPC wire mapping.
 */
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** One `duplex.v1.Envelope` as proto-loader gives and takes it (absent optional fields are undefined). */
export interface GrpcEnvelope {
  id?: string;
  type?: string;
  action?: string;
  data_json?: string;
  timestamp?: number;
  session_id?: string;
  reply_to?: string;
  seq?: number;
  ack?: number;
}

export type DuplexCall = grpc.ClientDuplexStream<GrpcEnvelope, GrpcEnvelope>;

export interface DuplexGrpcClient extends grpc.Client {
  Connect(metadata?: grpc.Metadata, options?: grpc.CallOptions): DuplexCall;
}

type DuplexClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => DuplexGrpcClient;

/** The wire mapping's loader options: snake_case kept, uint64 as numbers, absent fields left out. */
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, defaults: false, oneofs: true };

/** Run from dist/bench/lib (npm run bench) or from bench/lib (tsx): the proto is at the repository root. */
function protoPath(): string {
  const candidates = ['../../../proto/duplex.proto', '../../proto/duplex.proto'].map((p) => new URL(p, import.meta.url).pathname);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`proto/duplex.proto not found (looked at ${candidates.join(', ')})`);
  return found;
}

let loaded: { service: grpc.ServiceDefinition; Client: DuplexClientConstructor } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath(), LOADER_OPTIONS));
  const Client = (definition.duplex as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const ctor = Client.Duplex as grpc.ServiceClientConstructor;
  loaded = { service: ctor.service, Client: ctor as unknown as DuplexClientConstructor };
  return loaded;
}

/** The `duplex.v1.Duplex` service definition, for `server.addService`. */
export const duplexService = (): grpc.ServiceDefinition => load().service;

/**
 * One client with a channel of its own. grpc-js shares subchannels (and so one HTTP/2 connection)
 * between channels with the same target and options unless told otherwise; a bench client stands
 * for one remote application, so each gets its own connection, as the WebSocket clients do.
 */
export function newDuplexClient(port: number): DuplexGrpcClient {
  const { Client } = load();
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
}
