/**
 * The whole DuplexClient over gRPC, against a small protocol-speaking gRPC server built here from
 * the same proto: the transport is loaded on demand, and each way a call ends leads to what the
 * WebSocket close code of the same reason leads to (resume, stop, refused).
 */
import { Server, ServerCredentials, type ServerDuplexStream, status as Status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { DuplexError } from '../../../envelope/duplex.error.js';
import { DuplexClient } from '../../duplex-client.js';
import type { DuplexClientOptions } from '../../client-options.js';
import { loadDuplexService } from './duplex-proto.js';
import type { EnvelopeMessage } from './grpc-envelope.codec.js';

type ServerCall = ServerDuplexStream<EnvelopeMessage, EnvelopeMessage>;

/** One Connect call as the fake server saw it. */
interface SeenCall {
  call: ServerCall;
  token: string | undefined;
  hello: EnvelopeMessage;
  /** What came after the hello. */
  received: EnvelopeMessage[];
}

/**
 * Welcomes every call (session S1, resumed when the hello names it), answers `echo` requests and
 * `$bye`; refuses a call whose `token` metadata is `nobody`. Tests end calls through `calls`.
 */
class FakeDuplexServer {
  readonly calls: SeenCall[] = [];
  private readonly server = new Server();
  private seq = 0;

  async start(): Promise<string> {
    this.server.addService((await loadDuplexService()).service, { Connect: (call: ServerCall) => this.onCall(call) });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return `grpc://127.0.0.1:${port}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }

  private onCall(call: ServerCall): void {
    const token = call.metadata.get('token')[0]?.toString();
    call.once('data', (hello: EnvelopeMessage) => {
      const seen: SeenCall = { call, token, hello, received: [] };
      this.calls.push(seen);
      if (token === 'nobody') {
        call.emit('error', { code: Status.UNAUTHENTICATED, details: 'unauthenticated' });
        return;
      }
      const resumed = (JSON.parse(hello.data_json ?? '{}') as { session_id?: string }).session_id === 'S1';
      const welcome = { session_id: 'S1', resume_token: 'T1', resumed, last_seq: 0 };
      call.write({ id: `w${this.calls.length}`, type: 'response', action: '$hello', reply_to: hello.id, data_json: JSON.stringify(welcome), session_id: 'S1' });
      call.on('data', (message: EnvelopeMessage) => {
        seen.received.push(message);
        this.answer(call, message);
      });
    });
    call.on('error', () => undefined);
  }

  private answer(call: ServerCall, message: EnvelopeMessage): void {
    if (message.type !== 'request' || message.id === undefined) return;
    const reply = { id: `r-${message.id}`, type: 'response', action: message.action, reply_to: message.id, session_id: 'S1' };
    if (message.action === '$bye') {
      call.write({ ...reply, data_json: '{}' });
      call.end();
    } else {
      call.write({ ...reply, data_json: message.data_json, seq: ++this.seq, ack: message.seq });
    }
  }
}

const fakes: FakeDuplexServer[] = [];
const clients: DuplexClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  for (const fake of fakes.splice(0)) fake.stop();
});

async function setup(options: Partial<DuplexClientOptions> = {}): Promise<{ fake: FakeDuplexServer; client: DuplexClient }> {
  const fake = new FakeDuplexServer();
  fakes.push(fake);
  const client = new DuplexClient({ serverUrl: await fake.start(), random: () => 0, reconnect: { baseMs: 1 }, ...options });
  clients.push(client);
  return { fake, client };
}

function next<T>(client: DuplexClient, event: 'disconnected' | 'reconnected' | 'error'): Promise<T> {
  return new Promise((resolve) => client.on(event, ((value: T) => resolve(value)) as never));
}

describe('DuplexClient over gRPC', () => {
  it('refuses gRPC at construction where it cannot run, and WebSocket for a grpc:// serverUrl', () => {
    expect(() => new DuplexClient({ serverUrl: 'http://h:1', protocolType: 'grpc' })).toThrow(/"grpc": it needs a server address: option grpc\.address/);
    expect(() => new DuplexClient({ serverUrl: 'grpc://h:1', protocolType: 'websocket' })).toThrow(/"websocket": the serverUrl is a grpc:\/\/ address/);
    // A browser has no `process`: the transport says so, and is never loaded.
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true });
    try {
      expect(() => new DuplexClient({ serverUrl: 'grpc://h:1' })).toThrow(/"grpc": gRPC needs Node: browsers cannot open gRPC calls/);
    } finally {
      Object.defineProperty(globalThis, 'process', descriptor);
    }
  });

  it('connects to a grpc:// serverUrl with the metadata, and gets answers', async () => {
    const { fake, client } = await setup({ grpc: { metadata: { token: 'alice' } } });
    expect(await client.connect()).toBe(true);
    expect([client.transport, client.sessionId]).toEqual(['grpc', 'S1']);
    expect(await client.request('echo', { text: 'hi' })).toEqual({ text: 'hi' });
    expect(fake.calls.map((c) => [c.token, c.hello.action, c.hello.data_json])).toEqual([['alice', '$hello', '{}']]);
  });

  it('resumes after the server ends the call UNAVAILABLE (shutdown)', async () => {
    const { fake, client } = await setup();
    await client.connect();
    const disconnected = next<{ code: number }>(client, 'disconnected');
    const reconnected = next<{ resumed: boolean }>(client, 'reconnected');
    fake.calls[0]!.call.emit('error', { code: Status.UNAVAILABLE, details: 'shutdown: the server is shutting down' });
    expect(await disconnected).toMatchObject({ code: 1001 });
    expect(await reconnected).toMatchObject({ resumed: true });
    expect(JSON.parse(fake.calls[1]!.hello.data_json!)).toMatchObject({ session_id: 'S1', resume_token: 'T1' });
    expect(await client.request('echo', { again: true })).toEqual({ again: true });
  });

  it('stops when the session is taken over (ABORTED), and forgets the session', async () => {
    const { fake, client } = await setup();
    await client.connect();
    const disconnected = next<{ code: number }>(client, 'disconnected');
    fake.calls[0]!.call.emit('error', { code: Status.ABORTED, details: 'taken_over: session resumed on another connection' });
    expect(await disconnected).toMatchObject({ code: 4000 });
    expect([client.connected, client.sessionId, fake.calls.length]).toEqual([false, undefined, 1]);
  });

  it('takes UNAUTHENTICATED for a refusal, and never retries it', async () => {
    const { fake, client } = await setup({ grpc: { metadata: { token: 'nobody' } }, connect: { retries: 3 } });
    const error = next<DuplexError>(client, 'error');
    expect(await client.connect()).toBe(false);
    expect(await error).toMatchObject({ code: 'unauthenticated', status: 401, details: { failure: 'refused', transport: 'grpc' } });
    expect(fake.calls.length).toBe(1);
  });

  it('says goodbye on disconnect() and lets the server end the call', async () => {
    const { fake, client } = await setup();
    await client.connect();
    let ended!: () => void;
    const serverEnded = new Promise<void>((resolve) => (ended = resolve));
    fake.calls[0]!.call.on('finish', () => ended());
    await client.disconnect();
    await serverEnded;
    expect(fake.calls[0]!.received.map((m) => [m.type, m.action, m.session_id, m.seq])).toEqual([['request', '$bye', 'S1', undefined]]);
    expect(fake.calls.length).toBe(1);
  });
});
