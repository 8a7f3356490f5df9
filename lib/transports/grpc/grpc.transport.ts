import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Server, ServerCredentials, status, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { DUPLEX_RESOLVED_OPTIONS } from '../../duplex.constants.js';
import type { ResolvedDuplexOptions } from '../../duplex-options.js';
import { ProtocolType } from '../../envelope/envelope.js';
import { CloseReason } from '../../sessions/close-reason.js';
import { SessionService } from '../../sessions/session.service.js';
import { ConnectionAuthenticator } from '../connection.authenticator.js';
import { type ConnectMethod, loadDuplexService, type ProtoEnvelope } from './duplex-proto.js';
import { GrpcCodec } from './grpc-codec.js';
import { handshakeFromCall } from './grpc-handshake.js';
import { type GrpcCall, GrpcLink } from './grpc.link.js';

/** What the deserializer hands on for bytes that are not an Envelope (the call then ends INVALID_ARGUMENT). */
const UNREADABLE = Object.freeze({ unreadable: true }) as ProtoEnvelope;

/**
 * The gRPC transport: `duplex.v1.Duplex/Connect` served by @grpc/grpc-js on `grpc.url`, started on
 * bootstrap and drained on shutdown with the app (no line in main.ts). Authenticates each call from
 * its metadata (UNAUTHENTICATED on refusal), turns it into a GrpcLink and reports it to the
 * SessionService, exactly as the WebSocket transport does with a socket.
 */
@Injectable()
export class GrpcTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GrpcTransport.name);
  private readonly links = new Set<GrpcLink>();
  private server: Server | undefined;
  private codec: GrpcCodec | undefined;
  private shuttingDown = false;
  private boundPort: number | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly authenticator: ConnectionAuthenticator,
    @Inject(DUPLEX_RESOLVED_OPTIONS) private readonly options: ResolvedDuplexOptions,
  ) {}

  /** The port the server listens on (useful with `grpc.url` port 0); undefined when gRPC is off. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.protocols.has(ProtocolType.GRPC)) return;
    const { grpc, maxPayload } = this.options;
    const service = loadDuplexService();
    const connect = service.Connect as unknown as ConnectMethod;
    this.codec = new GrpcCodec(connect.responseSerialize);
    const definition = {
      Connect: {
        ...service.Connect,
        requestDeserialize: (buffer: Buffer): ProtoEnvelope => {
          try {
            return connect.requestDeserialize(buffer);
          } catch {
            return UNREADABLE;
          }
        },
        // Frames are encoded by GrpcCodec (the shared part once per message): written as they are.
        responseSerialize: (value: Buffer | ProtoEnvelope): Buffer => (Buffer.isBuffer(value) ? value : connect.responseSerialize(value)),
      },
    } as unknown as ServiceDefinition;
    this.server = new Server({
      'grpc.max_receive_message_length': maxPayload,
      'grpc.keepalive_time_ms': grpc.keepalive.timeMs,
      'grpc.keepalive_timeout_ms': grpc.keepalive.timeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const implementation: UntypedServiceImplementation = { Connect: (call: GrpcCall) => void this.accept(call) };
    this.server.addService(definition, implementation);
    const credentials = grpc.credentials ?? ServerCredentials.createInsecure();
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync(grpc.url, credentials, (err, port) => (err ? reject(new Error(`DuplexModule: gRPC could not listen on ${grpc.url}: ${err.message}`)) : resolve(port))),
    );
    this.logger.log(`gRPC transport listening on ${grpc.url.replace(/:\d+$/, `:${this.boundPort}`)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const server = this.server;
    if (server === undefined) return;
    const ended = [...this.links].map((link) => {
      link.close(CloseReason.SHUTDOWN, 'server shutting down');
      return link.ended;
    });
    await withTimeout(Promise.all(ended), 2000);
    await withTimeout(new Promise<void>((resolve) => server.tryShutdown(() => resolve())), 2000);
    server.forceShutdown();
    this.server = undefined;
  }

  private async accept(call: GrpcCall): Promise<void> {
    let link: GrpcLink | undefined;
    const finish = (): void => {
      if (link === undefined) return;
      const ending = link;
      link = undefined;
      this.links.delete(ending);
      ending.finished();
      listener?.closed();
    };
    let listener: ReturnType<SessionService['openLink']> | undefined;
    call.on('cancelled', finish);
    call.on('error', finish);
    call.on('finish', finish);
    const handshake = handshakeFromCall(call.metadata, call.getPeer());
    const auth = await this.authenticator.authenticate(handshake);
    if (call.cancelled) return;
    if (!auth.ok) {
      call.emit('error', { code: status.UNAUTHENTICATED, details: 'unauthenticated: the connection was refused by authenticate' });
      return;
    }
    if (this.shuttingDown || this.codec === undefined) {
      call.emit('error', { code: status.UNAVAILABLE, details: `${CloseReason.SHUTDOWN}: server shutting down` });
      return;
    }
    const { grpc, maxPayload } = this.options;
    link = new GrpcLink(call, this.codec, handshake, auth.principal, grpc.highWaterMark, maxPayload);
    this.links.add(link);
    const opened = link;
    listener = this.sessions.openLink(opened);
    const codec = this.codec;
    call.on('data', (message: ProtoEnvelope) => {
      if (opened.closing) return;
      if (message === UNREADABLE) {
        opened.close(CloseReason.PROTOCOL_ERROR, 'a message could not be decoded as a duplex.v1.Envelope');
        return;
      }
      const result = codec.decode(message);
      if (result.ok) listener!.receive(result.envelope);
      else listener!.reject(result.error, result.replyTo);
    });
    // The client half-closed: nothing more will come, the link is over (the session stays).
    call.on('end', () => {
      if (!opened.closing) opened.close(CloseReason.NORMAL, 'client closed its side');
    });
  }
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
