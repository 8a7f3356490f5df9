import { type ClientDuplexStream, credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { type ConnectMethod, loadDuplexService, type ProtoEnvelope } from '../../lib/transports/grpc/duplex-proto.js';
import { type Frame, FrameQueue } from './frame-queue.js';

const service = loadDuplexService();
const connect = service.Connect as unknown as ConnectMethod;
// Writes either an envelope object or raw bytes (for malformed-frame tests).
const Client = makeGenericClientConstructor(
  {
    Connect: {
      ...service.Connect,
      requestSerialize: (value: ProtoEnvelope | Buffer) => (Buffer.isBuffer(value) ? value : connect.responseSerialize(value)),
    },
  } as never,
  'Duplex',
);

/** How a call ended, as a test sees it. */
export interface CallEnd {
  code: number;
  details: string;
}

/**
 * A bare gRPC call speaking the wire protocol by hand (proto/duplex.proto), for tests that must
 * see exact messages and statuses. Frames are given as JSON envelopes (data parsed from data_json).
 */
export class RawGrpcPeer {
  private readonly queue = new FrameQueue();
  readonly ended: Promise<CallEnd>;
  private readonly client: InstanceType<typeof Client>;
  readonly call: ClientDuplexStream<ProtoEnvelope | Buffer, ProtoEnvelope>;

  constructor(address: string, metadata: Record<string, string> = {}) {
    this.client = new Client(address, credentials.createInsecure());
    const md = new Metadata();
    for (const [key, value] of Object.entries(metadata)) md.set(key, value);
    this.call = (this.client as unknown as { Connect(md: Metadata): ClientDuplexStream<ProtoEnvelope | Buffer, ProtoEnvelope> }).Connect(md);
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details }));
    });
    this.call.on('error', (_err: ServiceError) => undefined);
    this.call.on('data', (message: ProtoEnvelope) => {
      const frame: Frame = { ...message, data: message.data_json ? (JSON.parse(message.data_json) as Record<string, unknown>) : {} };
      delete frame.data_json;
      this.queue.push(frame);
    });
  }

  static async hello(address: string, data: Record<string, unknown> = {}, metadata: Record<string, string> = {}): Promise<{ peer: RawGrpcPeer; welcome: Frame }> {
    const peer = new RawGrpcPeer(address, metadata);
    peer.request('hello-1', '$hello', data);
    const welcome = await peer.next((f) => f.action === '$hello');
    return { peer, welcome };
  }

  send(message: ProtoEnvelope | Buffer): void {
    this.call.write(message);
  }

  request(id: string, action: string, data: Record<string, unknown> = {}, extra: ProtoEnvelope = {}): void {
    this.send({ id, type: 'request', action, data_json: JSON.stringify(data), timestamp: Date.now() / 1000, ...extra });
  }

  next(match: (frame: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    return this.queue.next(match, timeoutMs);
  }

  reply(id: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.reply_to === id && (f.type === 'response' || f.type === 'error'), timeoutMs);
  }

  /** Cancels the call (the client goes away) and closes the channel. */
  cancel(): void {
    this.call.cancel();
    this.client.close();
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}
