/**
 * The gRPC client transport against a small gRPC server built here from the same proto: what goes
 * on the wire, the call metadata, and how each way a call ends reaches the client.
 */
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { credentials, type Metadata, Server, ServerCredentials, type ServerDuplexStream, status as Status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DuplexError } from '../../../envelope/duplex.error.js';
import type { LinkCloseInfo } from '../client-transport.js';
import type { TransportFailure } from '../transport-failure.js';
import { loadDuplexService } from './duplex-proto.js';
import type { EnvelopeMessage } from './grpc-envelope.codec.js';
import { createGrpcClientTransport, GrpcClientTransport } from './grpc.client-transport.js';

type ServerCall = ServerDuplexStream<EnvelopeMessage, EnvelopeMessage>;

/** A Duplex service whose every call is handed to `handler` (none: the server serves nothing, UNIMPLEMENTED). */
async function fakeServer(handler?: (call: ServerCall) => void): Promise<{ address: string; server: Server }> {
  const server = new Server();
  if (handler !== undefined) server.addService((await loadDuplexService()).service, { Connect: handler });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

/** A port nothing listens on (bound once by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Everything one link reports, in order. */
class Recorder {
  readonly messages: string[] = [];
  /** What was reported, in order. */
  readonly log: string[] = [];
  readonly errors: Array<{ error: DuplexError; failure: TransportFailure | undefined }> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<LinkCloseInfo>;
  private nextMessage: ((text: string) => void) | undefined;
  private markOpen!: () => void;
  private markClosed!: (info: LinkCloseInfo) => void;

  constructor() {
    this.opened = new Promise((resolve) => (this.markOpen = resolve));
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  readonly listener = {
    open: () => {
      this.log.push('open');
      this.markOpen();
    },
    message: (text: string) => {
      this.log.push('message');
      this.messages.push(text);
      this.nextMessage?.(text);
    },
    error: (error: DuplexError, failure?: TransportFailure) => {
      this.log.push('error');
      this.errors.push({ error, failure });
    },
    close: (info: LinkCloseInfo) => {
      this.log.push('close');
      this.markClosed(info);
    },
    position: () => 0,
  };

  message(): Promise<string> {
    return new Promise((resolve) => (this.nextMessage = resolve));
  }
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.forceShutdown();
});

async function transportTo(handler?: (call: ServerCall) => void, metadata: Record<string, string> = {}): Promise<GrpcClientTransport> {
  const { address, server } = await fakeServer(handler);
  servers.push(server);
  return (await createGrpcClientTransport({ address, metadata, credentials: undefined })) as GrpcClientTransport;
}

const HELLO = '{"id":"c1","type":"request","action":"$hello","data":{"session_id":"s","last_seq":3},"timestamp":1764000000.5,"session_id":""}';

describe('GrpcClientTransport', () => {
  it('sends envelopes as Envelope messages (data as data_json) with the metadata, and reads them back', async () => {
    const seen: { metadata?: Metadata; first?: EnvelopeMessage } = {};
    const transport = await transportTo(
      (call) => {
        seen.metadata = call.metadata;
        call.once('data', (first: EnvelopeMessage) => {
          seen.first = first;
          call.write({ id: 's1', type: 'notification', action: 'tick', data_json: '{"n":[1,2]}', timestamp: 1764000001.25, session_id: 'S', seq: 7, ack: 2 });
          call.write({ id: 's2', type: 'response', data_json: '{}', reply_to: 'c1' });
          call.end();
        });
      },
      { authorization: 'Bearer t0k', 'x-tenant': 'a' },
    );
    expect([transport.name, transport.endpoint]).toEqual(['grpc', expect.stringMatching(/^grpc:\/\/127\.0\.0\.1:\d+$/)]);
    const link = new Recorder();
    const handle = transport.open(link.listener);
    await link.opened;
    handle.send(HELLO);
    const close = await link.closed;

    expect(seen.metadata?.get('authorization')).toEqual(['Bearer t0k']);
    expect(seen.metadata?.get('x-tenant')).toEqual(['a']);
    expect(seen.first).toEqual({ id: 'c1', type: 'request', action: '$hello', data_json: '{"session_id":"s","last_seq":3}', timestamp: 1764000000.5, session_id: '' });
    expect(link.messages.map((text) => JSON.parse(text) as unknown)).toEqual([
      { id: 's1', type: 'notification', action: 'tick', data: { n: [1, 2] }, timestamp: 1764000001.25, session_id: 'S', seq: 7, ack: 2 },
      // proto3 leaves out empty strings and zeros: they read as such.
      { id: 's2', type: 'response', action: '', data: {}, timestamp: 0, session_id: '', reply_to: 'c1' },
    ]);
    expect(close).toEqual({ code: 1000, reason: 'OK' });
    expect(link.log).toEqual(['open', 'message', 'message', 'close']);
  });

  it('reports a message whose data_json is not an object, and keeps the call', async () => {
    const transport = await transportTo((call) => {
      call.write({ id: 'bad', type: 'notification', action: 'x', data_json: '[1]' });
      call.write({ id: 'good', type: 'notification', action: 'x', data_json: '{}' });
    });
    const link = new Recorder();
    transport.open(link.listener);
    expect(JSON.parse(await link.message())).toMatchObject({ id: 'good' });
    expect(link.errors).toMatchObject([{ error: { code: 'bad_frame', message: expect.stringContaining('"bad"') }, failure: undefined }]);
  });

  it("maps the status that ends a call after a message to the close code of the server's reason", async () => {
    const cases: Array<[Status, string, number]> = [
      [Status.ABORTED, 'taken_over: session resumed on another connection', 4000],
      [Status.UNAVAILABLE, 'shutdown', 1001],
      [Status.DATA_LOSS, 'outbox_overflow', 4002],
      [Status.NOT_FOUND, 'session_ended: expired', 4003],
      [Status.RESOURCE_EXHAUSTED, 'session_limit', 1013],
      [Status.DEADLINE_EXCEEDED, 'heartbeat_timeout', 4001],
    ];
    for (const [code, details, expected] of cases) {
      const transport = await transportTo((call) => {
        call.write({ id: 'w', type: 'response', action: '$hello', data_json: '{}' });
        call.emit('error', { code, details });
      });
      const link = new Recorder();
      transport.open(link.listener);
      expect(await link.closed).toEqual({ code: expected, reason: details });
      // The status comes after the message on the wire, and is reported after it.
      expect([details, link.log]).toEqual([details, ['open', 'message', 'close']]);
    }
  });

  it('classifies a call that ends before any message: refused, blocked, unreachable', async () => {
    const endedWith = async (transport: GrpcClientTransport): Promise<{ close: LinkCloseInfo; errors: Recorder['errors'] }> => {
      const link = new Recorder();
      transport.open(link.listener);
      return { close: await link.closed, errors: link.errors };
    };
    const refusing = await transportTo((call) => call.emit('error', { code: Status.UNAUTHENTICATED, details: 'unauthenticated: bad token' }));
    expect(await endedWith(refusing)).toMatchObject({ close: { code: 1006 }, errors: [{ failure: 'refused', error: { code: 'unauthenticated', status: 401 } }] });
    const notDuplex = await transportTo(undefined);
    expect(await endedWith(notDuplex)).toMatchObject({ errors: [{ failure: 'blocked', error: { message: expect.stringContaining('does not serve duplex.v1.Duplex') } }] });
    const nobody = await createGrpcClientTransport({ address: `127.0.0.1:${await freePort()}`, metadata: {}, credentials: credentials.createInsecure() });
    expect(await endedWith(nobody as GrpcClientTransport)).toMatchObject({ close: { code: 1006 }, errors: [{ failure: 'unreachable', error: { code: 'not_connected' } }] });
  });

  it('closes by cancelling the call, reporting the code it was asked for', async () => {
    let cancelled!: () => void;
    const serverSawCancel = new Promise<void>((resolve) => (cancelled = resolve));
    const transport = await transportTo((call) => {
      call.on('cancelled', () => cancelled());
      call.write({ id: 'w', type: 'response', action: '$hello', data_json: '{}' });
    });
    const link = new Recorder();
    const handle = transport.open(link.listener);
    await link.message();
    handle.close(1000, 'client disconnect');
    expect(await link.closed).toEqual({ code: 1000, reason: 'client disconnect' });
    await serverSawCancel;
    handle.send(HELLO); // ignored: the call is over
    expect(link.errors).toEqual([]);
  });

  it('tells, when the client gives up on a silent call, whether a connection was up', async () => {
    let called!: () => void;
    const reached = new Promise<void>((resolve) => (called = resolve));
    const silent = await transportTo(() => called());
    const link = new Recorder();
    const handle = silent.open(link.listener);
    await reached;
    handle.terminate();
    expect(await link.closed).toEqual({ code: 1006, reason: 'terminated' });
    // A server answered the call: the client's own rule (opened, no welcome: blocked) applies.
    expect(link.errors).toEqual([]);

    const nobody = (await createGrpcClientTransport({ address: `127.0.0.1:${await freePort()}`, metadata: {}, credentials: undefined })) as GrpcClientTransport;
    const early = new Recorder();
    nobody.open(early.listener).terminate();
    await early.closed;
    expect(early.errors).toMatchObject([{ failure: 'unreachable', error: { message: expect.stringContaining('No answer from grpc://127.0.0.1:') } }]);
  });

  it('gives each link a connection of its own (a shared one would bring its grpc-js backoff along)', async () => {
    const peers: string[] = [];
    let reached!: () => void;
    const both = new Promise<void>((resolve) => (reached = resolve));
    const transport = await transportTo((call) => {
      peers.push(call.getPeer());
      if (peers.length === 2) reached();
    });
    const links = [new Recorder(), new Recorder()].map((link) => transport.open(link.listener));
    await both;
    // Two client ports: two TCP connections.
    expect(new Set(peers).size).toBe(2);
    for (const link of links) link.close(1000, 'done');
  });
});
