/**
 * The gRPC transport (Node only): each link is one `Connect` call of proto/duplex.proto, carrying
 * the handshake's headers as call metadata. Loaded by load-grpc.ts only when a client asks for it.
 */
import { type ChannelCredentials, type ChannelOptions, credentials, Metadata, type ServiceClientConstructor } from '@grpc/grpc-js';
import { DuplexError } from '../../../envelope/duplex.error.js';
import { ProtocolType } from '../../../envelope/envelope.js';
import { ErrorCode } from '../../../envelope/error-codes.js';
import type { ResolvedGrpcOptions } from '../../client-options.js';
import { CloseCode } from '../../close-codes.js';
import type { ClientLink, ClientLinkListener, ClientTransport } from '../client-transport.js';
import { TransportFailure } from '../transport-failure.js';
import { loadDuplexService } from './duplex-proto.js';
import { type EnvelopeCall, GrpcLink } from './grpc.link.js';

const CHANNEL_OPTIONS: ChannelOptions = {
  // No receive limit: the server decides what it sends (a limit here would fail the call on every
  // replay of one large message, for ever); what the client sends is capped by the welcome's `max_payload`.
  'grpc.max_receive_message_length': -1,
  // A connection of the link's own: grpc-js would otherwise share one per address, and after a
  // refused connect keep failing new calls for its own backoff (1 s, growing to 2 min), whatever
  // the client's `reconnect` options say.
  'grpc.use_local_subchannel_pool': 1,
};

interface DuplexServiceClient {
  Connect(metadata: Metadata): EnvelopeCall;
}

export class GrpcClientTransport implements ClientTransport {
  readonly name = ProtocolType.GRPC;
  readonly endpoint: string;
  private readonly metadata = new Metadata();

  constructor(
    private readonly Service: ServiceClientConstructor,
    private readonly address: string,
    metadata: Readonly<Record<string, string>>,
    private readonly channelCredentials: ChannelCredentials,
  ) {
    this.endpoint = `grpc://${address}`;
    for (const [key, value] of Object.entries(metadata)) this.metadata.add(key, value);
  }

  open(listener: ClientLinkListener): ClientLink {
    let client: InstanceType<ServiceClientConstructor>;
    try {
      // A channel per link: it closes with its call, so nothing is left open after a disconnect.
      client = new this.Service(this.address, this.channelCredentials, CHANNEL_OPTIONS);
    } catch (error) {
      // An address grpc-js cannot parse; reported like any failed link, after the caller has its link.
      queueMicrotask(() => {
        listener.error(new DuplexError(ErrorCode.NOT_CONNECTED, `Cannot open ${this.endpoint}: ${String(error)}`), TransportFailure.UNREACHABLE);
        listener.close({ code: CloseCode.ABNORMAL, reason: 'could not open' });
      });
      return { send() {}, close() {}, terminate() {} };
    }
    const call = (client as unknown as DuplexServiceClient).Connect(this.metadata.clone());
    return new GrpcLink(client, call, listener, this.endpoint);
  }
}

/** The transport for the client's resolved `grpc` options (their address is set: see grpcUnavailable). */
export async function createGrpcClientTransport(options: ResolvedGrpcOptions): Promise<ClientTransport> {
  if (options.address === undefined) throw new DuplexError(ErrorCode.BAD_REQUEST, 'The gRPC transport needs option grpc.address');
  const Service = await loadDuplexService();
  return new GrpcClientTransport(Service, options.address, options.metadata, options.credentials ?? credentials.createInsecure());
}
